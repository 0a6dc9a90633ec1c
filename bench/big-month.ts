// One big archive month (issue 15 §2): 3,000 articles of ~28 KB published in one month, rebuilt in
// full with the month as one document (the baseline: bounds too wide to cut it), with the bounds
// and threads of the previous defaults (500 items / 8 MiB) and with the service's defaults (its
// archive bounds and build threads), in-process too. Prints the largest document, the most items
// in one, the peak RSS during the rebuild (build threads included) and the longest event-loop stall
// next to the goals, each build in its own process. `tsx bench/big-month.ts`
import { fork } from 'node:child_process'
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
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
  stallMaxMs: number
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

const main = async (): Promise<void> => {
  const dir = await mkdtemp(join(tmpdir(), 'feedwright-big-month-'))
  try {
    const storePath = join(dir, 'store.db')
    await seed(storePath)
    const rows: Record<string, Figures> = {}
    const threads = defaultThreads()
    const { items, bytes } = DEFAULT_ARCHIVE_BOUNDS
    rows['one document a month, in-process (before parts)'] = await inChild(
      storePath,
      join(dir, 'one'),
      UNBOUNDED,
    )
    rows[`previous defaults: ${PREVIOUS.items} items / ${MiB(PREVIOUS.bytes)} MiB, 1 thread`] =
      await inChild(storePath, join(dir, 'previous'), PREVIOUS, 1)
    // The goal's row: the service's defaults on this machine (config.ts, builderSettings).
    rows[`service defaults: ${items} items / ${MiB(bytes)} MiB, ${threads} thread(s)`] =
      await inChild(storePath, join(dir, 'defaults'), DEFAULT_ARCHIVE_BOUNDS, threads)
    rows[`service defaults, BUILD_THREADS=0`] = await inChild(
      storePath,
      join(dir, 'in-process'),
      DEFAULT_ARCHIVE_BOUNDS,
    )
    console.log(
      `\n${ARTICLES} articles of ~${ARTICLE_BYTES / 1000} KB in one month, full rebuild (site feed, facets, archive); ` +
        `goals: RSS peak ≤ ${RSS_GOAL_MIB} MiB, longest stall ≤ ${STALL_GOAL_MS} ms, no document over the bounds:`,
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
            [`RSS ≤ ${RSS_GOAL_MIB}`]: f.rssPeakMiB <= RSS_GOAL_MIB ? 'yes' : 'no',
            'longest stall ms': f.stallMaxMs,
            [`stall ≤ ${STALL_GOAL_MS}`]: f.stallMaxMs <= STALL_GOAL_MS ? 'yes' : 'no',
          },
        ]),
      ),
    )
  } finally {
    await rm(dir, { recursive: true, force: true })
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
