// One big archive month (issue 15 §2): 3,000 articles of ~28 KB published in one month, rebuilt in
// full. The goal's row is the service as it runs (`node dist/cli.js serve`, after `npm run build`,
// on the seeded store with an empty FEEDS_DIR and default settings): once its first build is over,
// `POST /api/rebuild {"full": true}`, and until that build's report says finished, the process's
// RSS (/proc/<pid>/status, every thread) is sampled and feed requests are sent at a steady pace,
// each one's latency kept. The other rows are the builder alone, in a child process under tsx
// (which adds its loader to every thread's heap): the month as one document (the baseline: bounds
// too wide to cut it), the previous defaults (500 items / 8 MiB) and the service's defaults.
// Prints the largest document, the most items in one, the peak RSS and the longest wait (request
// or event-loop stall) next to the goals, and the load average. `npx tsx bench/big-month.ts`.
// Settings: BIG_MONTH_ENV passes environment to the service (e.g. "MALLOC_ARENA_MAX=2"),
// BIG_MONTH_CLI runs another dist/cli.js as the service (another checkout's, to compare),
// BIG_MONTH_NODE_OPTIONS Node options (with "--expose-gc --import /abs/bench/gc-on-signal.mjs" its
// heap is printed before the rebuild and at its end), BIG_MONTH_SMAPS=1 prints its RSS by mapping
// as it grows, BIG_MONTH_ONLY_SERVICE=1 skips the builder-alone rows, BIG_MONTH_KEEP=1 keeps the
// temporary directory (store and feeds) for a look.
import { type ChildProcess, fork } from 'node:child_process'
import { startServe } from './service.js'
import { readFileSync, writeFileSync } from 'node:fs'
import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { loadavg, tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { parseArticle } from '../src/articles/schema.js'
import { createBuilder } from '../src/builder/builder.js'
import { type ArchiveBounds, DEFAULT_ARCHIVE_BOUNDS } from '../src/builder/documents.js'
import { defaultThreads } from '../src/builder/workers.js'
import { createPublishedOutputs } from '../src/publish/outputs.js'
import { openShelf } from '../src/publish/shelf.js'
import { openSqliteStore } from '../src/store/sqlite.js'

const ARTICLES = Number(process.env.BIG_MONTH_ARTICLES ?? 3_000)
const ARTICLE_BYTES = 28_000
const SITE = {
  title: 'Bench Science',
  description: 'Synthetic articles',
  url: 'https://news.example.org',
  language: 'en',
}
// Wide enough that the month stays one document: the behaviour before archive parts.
const UNBOUNDED: ArchiveBounds = { items: 100_000, bytes: 1_073_741_824 }
// The defaults before this bench's goal was met: documents four times larger.
const PREVIOUS: ArchiveBounds = { items: 500, bytes: 8 * 1_048_576 }
// Issue 15 §2: what the service may use and how long a request may wait during the rebuild.
const RSS_GOAL_MIB = 256
const STALL_GOAL_MS = 250

interface Figures {
  documents: number
  mostItems: number
  largestBytes: number
  largestPath: string
  buildMs: number
  rssBeforeMiB: number
  rssPeakMiB: number
  /** In-process rows: the longest event-loop stall; the service's: the longest request. */
  stallMaxMs: number
  /** The service's row: how many feed requests were answered during the rebuild. */
  requests?: number
  /**
   * The service's row: its peak from start to the rebuild (VmHWM), over the first builds, which
   * render every document new (the rebuild's bytes are those served already).
   */
  firstPeakMiB?: number
}

const PARAGRAPH =
  '<p>Researchers at the centre described the instrument, its calibration and the first ' +
  'observations in detail, with figures on the detector, the optics and the data pipeline.</p>'

const seed = async (path: string): Promise<void> => {
  const store = openSqliteStore(path)
  const template = parseArticle({
    id: 'big-month-template',
    title: 'A long report from the space science centre',
    summary: 'A long report, as investigative pieces are.',
    contentHtml: PARAGRAPH.repeat(Math.ceil(ARTICLE_BYTES / PARAGRAPH.length)),
    url: 'https://news.example.org/science/big-month-template',
    authors: [{ name: 'Bench Desk' }],
    publishedAt: '2026-10-01T00:00:00Z',
    categories: ['Science'],
  })
  const start = Date.UTC(2026, 9, 1)
  const spacing = Math.floor((30 * 86_400_000) / ARTICLES)
  for (let from = 0; from < ARTICLES; from += 500) {
    const batch = Array.from({ length: Math.min(500, ARTICLES - from) }, (_, i) => {
      const n = from + i
      const at = new Date(start + n * spacing).toISOString()
      return {
        ...template,
        id: `big-${n}`,
        url: `https://news.example.org/science/big-${n}`,
        publishedAt: at,
        updatedAt: at,
      }
    })
    await store.articles.upsertMany(batch)
  }
  await store.close()
}

/** The largest identity file under feeds/archive (a feed document in some format), and the most
 * items an archive document holds (its Atom entries). */
const largest = async (
  dir: string,
): Promise<{ documents: number; bytes: number; path: string; items: number }> => {
  let best = { documents: 0, bytes: 0, path: '', items: 0 }
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !/^(atom\.xml|rss\.xml|feed\.json)$/.test(entry.name)) continue
    const path = join(entry.parentPath, entry.name)
    const text = await readFile(path, 'utf8')
    const size = Buffer.byteLength(text)
    const items = entry.name === 'atom.xml' ? text.split('<entry>').length - 1 : 0
    best = {
      documents: best.documents + 1,
      items: Math.max(best.items, items),
      ...(size > best.bytes ? { bytes: size, path } : { bytes: best.bytes, path: best.path }),
    }
  }
  return best
}

const MiB = (bytes: number): number => Math.round(bytes / 1_048_576)

/** In the child: one full rebuild of the seeded store with `bounds`, measured. */
const rebuild = async (
  storePath: string,
  feedsDir: string,
  bounds: ArchiveBounds,
  buildThreads: number,
): Promise<Figures> => {
  const store = openSqliteStore(storePath)
  const settings = { site: SITE, feedLimit: 50, feedPages: 5, feedsDir, archiveBounds: bounds }
  const builder = createBuilder({
    settings: { ...settings, buildThreads },
    dependencies: { store, outputs: createPublishedOutputs(), shelf: await openShelf(feedsDir) },
  })
  global.gc?.()
  const rssBefore = process.memoryUsage.rss()
  let rssPeak = rssBefore
  const sampler = setInterval(() => {
    rssPeak = Math.max(rssPeak, process.memoryUsage.rss())
  }, 10)
  const delay = monitorEventLoopDelay({ resolution: 10 })
  delay.enable()
  const started = performance.now()
  await builder.build({ id: 1, full: true })
  const buildMs = performance.now() - started
  delay.disable()
  clearInterval(sampler)
  await builder.close()
  await store.close()
  const files = await largest(join(feedsDir, 'archive'))
  return {
    documents: files.documents / 3,
    mostItems: files.items,
    largestBytes: files.bytes,
    largestPath: files.path.slice(feedsDir.length + 1),
    buildMs: Math.round(buildMs),
    rssBeforeMiB: MiB(rssBefore),
    rssPeakMiB: MiB(rssPeak),
    stallMaxMs: Math.round(delay.max / 1e6),
  }
}

const inChild = (
  storePath: string,
  feedsDir: string,
  bounds: ArchiveBounds,
  buildThreads = 0,
): Promise<Figures> =>
  new Promise((resolve, reject) => {
    const args = [storePath, feedsDir, JSON.stringify(bounds), String(buildThreads)]
    const child = fork(import.meta.filename, args, {
      execArgv: ['--import', 'tsx', '--expose-gc'],
    })
    child.once('message', (figures) => resolve(figures as Figures))
    child.once('exit', (code) =>
      code === 0 ? undefined : reject(new Error(`child exited ${code}`)),
    )
  })

// BIG_MONTH_CLI: another build's dist/cli.js (e.g. main's), measured by this same bench.
const CLI = resolve(process.env.BIG_MONTH_CLI ?? resolve(import.meta.dirname, '../dist/cli.js'))
const ADMIN_TOKEN = 'big-month-bench-admin-token'
// A reader's pace: one request every 50 ms, the site's feed and an archive part in turn.
const REQUEST_EVERY_MS = 50
const READS = ['/feeds/rss.xml', '/feeds/archive/2026/10/atom.xml']

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms))

/** The process's resident set now and at its highest (kB in /proc/<pid>/status), in bytes. */
const memoryOf = (pid: number): { rss: number; hwm: number } => {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const field = (name: string) =>
    Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(status)?.[1]) * 1024
  return { rss: field('VmRSS'), hwm: field('VmHWM') }
}

/** `node dist/cli.js serve` on a copy of the seeded store; its address once it serves. */
const startService = async (
  storePath: string,
  dir: string,
): Promise<{ child: ChildProcess; url: string }> => {
  await mkdir(join(dir, 'data'), { recursive: true })
  writeFileSync(join(dir, 'data', 'feedwright.db'), readFileSync(storePath))
  const extra = Object.fromEntries(
    (process.env.BIG_MONTH_ENV ?? '')
      .split(/\s+/)
      .filter(Boolean)
      .map((pair) => pair.split('=', 2) as [string, string]),
  )
  const nodeOptions = (process.env.BIG_MONTH_NODE_OPTIONS ?? '').split(/\s+/).filter(Boolean)
  return startServe({ cli: CLI, dir, adminToken: ADMIN_TOKEN, nodeOptions, env: extra })
}

const api = async (url: string, path: string, init: RequestInit = {}): Promise<unknown> => {
  const response = await fetch(url + path, {
    ...init,
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
  })
  return response.json()
}

/**
 * Waits for the first builds to finish: the start-up build (the service starts with an empty
 * FEEDS_DIR) publishes the feeds and leaves the archive to the build right after it, which the
 * RSS before the rebuild is not to catch half done.
 */
const firstBuild = async (url: string): Promise<void> => {
  for (;;) {
    const latest = (await api(url, '/api/builds/latest')) as {
      status?: string
      archiveMonthsDeferred?: number
    }
    if (latest.status === 'finished' && !latest.archiveMonthsDeferred) return
    await sleep(200)
  }
}

/** Reads at a steady pace until `stop` holds; every request's latency (body read whole), in ms. */
const readSteadily = async (url: string, stop: () => boolean): Promise<number[]> => {
  const waits: number[] = []
  for (let n = 0; !stop(); n += 1) {
    const started = performance.now()
    const response = await fetch(url + READS[n % READS.length]!)
    await response.arrayBuffer()
    if (response.status !== 200)
      throw new Error(`${READS[n % READS.length]} answered ${response.status}`)
    waits.push(performance.now() - started)
    await sleep(Math.max(0, REQUEST_EVERY_MS - (performance.now() - started)))
  }
  return waits
}

/** BIG_MONTH_SMAPS=1: the process's resident memory by mapping (largest first), on stderr. */
const smapsReport = (pid: number, when: string): void => {
  if (!process.env.BIG_MONTH_SMAPS) return
  const byName = new Map<string, number>()
  let name = ''
  for (const line of readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n')) {
    const mapping = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/.exec(line)
    if (mapping) name = mapping[1] || '[anon]'
    const rss = /^Rss:\s+(\d+) kB/.exec(line)
    if (rss) byName.set(name, (byName.get(name) ?? 0) + Number(rss[1]))
  }
  const top = [...byName].sort((a, b) => b[1] - a[1]).slice(0, 6)
  console.error(
    `${when}, RSS by mapping (MiB): ${top.map(([n, kb]) => `${n} ${Math.round(kb / 1024)}`).join(', ')}`,
  )
}

/** With gc-on-signal.mjs preloaded, a collection and where the memory is, on stderr (without it
 * SIGUSR2 would end the service: nothing is sent). */
const gcReport = (child: ChildProcess): void => {
  if (process.env.BIG_MONTH_NODE_OPTIONS?.includes('gc-on-signal')) child.kill('SIGUSR2')
}

/** The goal's row: a full rebuild in the running service, its RSS sampled and feeds read. */
const serviceRebuild = async (storePath: string, dir: string): Promise<Figures> => {
  const { child, url } = await startService(storePath, dir)
  const pid = child.pid!
  try {
    await firstBuild(url)
    await sleep(6_000) // the first build's threads end after 5 s idle, as between builds
    gcReport(child)
    await sleep(1_000)
    smapsReport(pid, 'before the rebuild')
    const { rss: rssBefore, hwm: firstPeak } = memoryOf(pid)
    writeFileSync(`/proc/${pid}/clear_refs`, '5') // VmHWM from here: this rebuild's peak
    const ticket = (await api(url, '/api/rebuild', {
      method: 'POST',
      body: JSON.stringify({ full: true }),
    })) as { id: number }
    let report: { status?: string; durationMs?: number } = {}
    let rssPeak = rssBefore
    const reads = readSteadily(url, () => report.status === 'finished')
    while (report.status !== 'finished') {
      const rss = memoryOf(pid).rss
      if (rss > rssPeak) smapsReport(pid, `at ${MiB(rss)} MiB`)
      rssPeak = Math.max(rssPeak, rss)
      await sleep(20)
      report = (await api(url, `/api/builds/${ticket.id}`)) as typeof report
    }
    const waits = await reads
    gcReport(child)
    const hwm = memoryOf(pid).hwm
    const files = await largest(join(dir, 'feeds', 'archive'))
    return {
      documents: files.documents / 3,
      mostItems: files.items,
      largestBytes: files.bytes,
      largestPath: files.path.slice(join(dir, 'feeds').length + 1),
      buildMs: Math.round(report.durationMs ?? 0),
      rssBeforeMiB: MiB(rssBefore),
      rssPeakMiB: MiB(Math.max(rssPeak, hwm)),
      firstPeakMiB: MiB(firstPeak),
      stallMaxMs: Math.round(Math.max(...waits)),
      requests: waits.length,
    }
  } finally {
    child.kill('SIGTERM')
    await new Promise((done) => child.once('exit', done))
  }
}

const main = async (): Promise<void> => {
  const dir = await mkdtemp(join(tmpdir(), 'feedwright-big-month-'))
  try {
    const storePath = join(dir, 'store.db')
    await seed(storePath)
    const rows: Record<string, Figures> = {}
    const threads = defaultThreads()
    const { items, bytes } = DEFAULT_ARCHIVE_BOUNDS
    // The goal's row: the service as `npm start` runs it, defaults otherwise.
    rows[
      `the service (dist/cli.js serve${process.env.BIG_MONTH_ENV ? `, ${process.env.BIG_MONTH_ENV}` : ''}), defaults`
    ] = await serviceRebuild(storePath, join(dir, 'service'))
    if (!process.env.BIG_MONTH_ONLY_SERVICE) {
      rows['builder alone under tsx: one document a month, in-process (before parts)'] =
        await inChild(storePath, join(dir, 'one'), UNBOUNDED)
      rows[
        `builder alone under tsx: ${PREVIOUS.items} items / ${MiB(PREVIOUS.bytes)} MiB, 1 thread`
      ] = await inChild(storePath, join(dir, 'previous'), PREVIOUS, 1)
      rows[`builder alone under tsx: ${items} items / ${MiB(bytes)} MiB, ${threads} thread(s)`] =
        await inChild(storePath, join(dir, 'defaults'), DEFAULT_ARCHIVE_BOUNDS, threads)
      rows['builder alone under tsx: defaults, BUILD_THREADS=0'] = await inChild(
        storePath,
        join(dir, 'in-process'),
        DEFAULT_ARCHIVE_BOUNDS,
      )
    }
    console.log(
      `\n${ARTICLES} articles of ~${ARTICLE_BYTES / 1000} KB in one month, full rebuild (site feed, facets, archive); ` +
        `goals: RSS peak ≤ ${RSS_GOAL_MIB} MiB, longest request (the service) or event-loop stall ` +
        `(the builder alone) ≤ ${STALL_GOAL_MS} ms, no document over the bounds:`,
    )
    console.table(
      Object.fromEntries(
        Object.entries(rows).map(([name, f]) => [
          name,
          {
            'archive documents': f.documents,
            'most items': f.mostItems,
            'largest document MB': (f.largestBytes / 1e6).toFixed(1),
            'largest is': f.largestPath,
            'build ms': f.buildMs,
            'RSS before MiB': f.rssBeforeMiB,
            'RSS peak MiB': f.rssPeakMiB,
            "first builds' peak MiB": f.firstPeakMiB ?? '',
            [`RSS ≤ ${RSS_GOAL_MIB}`]: f.rssPeakMiB <= RSS_GOAL_MIB ? 'yes' : 'no',
            'longest wait ms': f.stallMaxMs,
            requests: f.requests ?? '',
            [`wait ≤ ${STALL_GOAL_MS}`]: f.stallMaxMs <= STALL_GOAL_MS ? 'yes' : 'no',
          },
        ]),
      ),
    )
    console.log(
      `load average at the end: ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}`,
    )
  } finally {
    if (process.env.BIG_MONTH_KEEP) console.log(`kept ${dir}`)
    else await rm(dir, { recursive: true, force: true })
  }
}

const [storeArg, feedsArg, boundsArg, threadsArg] = process.argv.slice(2)
if (storeArg && feedsArg && boundsArg) {
  const bounds = JSON.parse(boundsArg) as ArchiveBounds
  const figures = await rebuild(storeArg, feedsArg, bounds, Number(threadsArg ?? 0))
  process.send?.(figures)
  process.disconnect?.()
} else {
  await main()
}
