// `npx tsx bench/million.ts` (after `npm run build`): the built service over a SQLite store of
// BENCH_MILLION_ARTICLES synthetic articles (default 1,000,000; 685 monthly archives) started with
// an empty FEEDS_DIR, as a first start is: the time of its first archive build (from the build's
// report) and the process's RSS (/proc/<pid>/status) during that build and once settled (a few
// hundred feed requests, then a garbage collection, read 3 s and 15 s after it), next to the goals
// of issue 12 §6.
// The store takes minutes to make: it is kept under bench/.out/million/ between runs, by size, and
// each run starts from a copy of it. BENCH_MILLION_ENV passes settings to the service
// (e.g. BENCH_MILLION_ENV="BUILD_THREADS=0"); BENCH_MILLION_NODE_OPTIONS adds Node options to it.
import { type ChildProcess, spawn } from 'node:child_process'
import { copyFileSync, existsSync, readFileSync, renameSync, rmSync } from 'node:fs'
import { mkdir, rm, writeFile } from 'node:fs/promises'
import { availableParallelism, loadavg } from 'node:os'
import { join, resolve } from 'node:path'
import { openSqliteStore } from '../src/store/sqlite.js'
import type { Store } from '../src/store/store.js'
import { CATEGORY_COUNT, syntheticBatches } from './synthetic.js'

const ARTICLES = Number(process.env.BENCH_MILLION_ARTICLES ?? 1_000_000)
const CLI = resolve(import.meta.dirname, '../dist/cli.js')
const OUT = resolve(import.meta.dirname, '.out', 'million')
const RUN = join(OUT, `run-${ARTICLES}`)
const GC_ON_SIGNAL = resolve(import.meta.dirname, 'gc-on-signal.mjs')
// The goals (issue 12 §6) and where they start from (README, "Paging and archives").
const STEADY_GOAL_MIB = 256
const STEADY_BEFORE_MIB = 346
const FIRST_BUILD_BEFORE_MS = 7.2 * 60_000
const MIB = 1024 * 1024
// How long after the requests the service is left before its steady RSS is read (a collection and
// 3 s later); BENCH_MILLION_SETTLE_MS changes it (memory some threads give back late shows).
const SETTLE_MS = Number(process.env.BENCH_MILLION_SETTLE_MS ?? 10_000)
// When the RSS is read a second time after the collection: once V8's own memory reducer has run.
const REDUCED_AFTER_MS = 15_000

interface Line {
  msg: string
  build?: number
  archiveMonths?: number
  archiveMonthsDeferred?: number
  durationMs?: number
  url?: string
}

/** The cached store of this size, made once (into a temporary file, renamed when whole). */
const cachedStore = async (): Promise<string> => {
  const path = join(OUT, `store-${ARTICLES}.db`)
  if (existsSync(path)) return path
  await mkdir(OUT, { recursive: true })
  const making = `${path}.making`
  for (const suffix of ['', '-wal', '-shm']) rmSync(making + suffix, { force: true })
  const started = performance.now()
  const store = openSqliteStore(making)
  // Checkouts before the store was split (58ddcd2, run by bench/million-original.sh) upsert on it.
  const articles = store.articles ?? (store as unknown as Store['articles'])
  for (const batch of syntheticBatches(0, ARTICLES, 10_000)) await articles.upsertMany(batch)
  await store.close()
  renameSync(making, path)
  console.log(`store of ${ARTICLES.toLocaleString('en')} articles made in ${seconds(started)} s`)
  return path
}

const round1 = (n: number) => Number(n.toFixed(1))

const seconds = (since: number) => ((performance.now() - since) / 1000).toFixed(1)

/** The process's resident set now and at its highest (kB in /proc/<pid>/status), in bytes. */
const memoryOf = (pid: number): { rss: number; hwm: number } => {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const field = (name: string) =>
    Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(status)?.[1]) * 1024
  return { rss: field('VmRSS'), hwm: field('VmHWM') }
}

/** CPU seconds the process has used so far, every thread (utime + stime in /proc/<pid>/stat). */
const cpuOf = (pid: number): number => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
  return (Number(fields[11]) + Number(fields[12])) / 100
}

/**
 * A log line of a checkout from before JSON logs (58ddcd2, bench/million-original.sh): "serving on
 * URL …" and "build N: … outputs rendered (M archive months), … in D ms".
 */
const textLine = (text: string): Line | undefined => {
  const serving = /serving on (http\S+)/.exec(text)
  if (serving) return { msg: text, url: serving[1]! }
  const built =
    /^\[feedwright\] build (\d+)\b.*? outputs rendered(?: \((\d+) archive months?\))?.* in (\d+) ms/.exec(
      text,
    )
  if (!built) return undefined
  const [, build, months, ms] = built
  return {
    msg: text,
    build: Number(build),
    archiveMonths: Number(months ?? 0),
    durationMs: Number(ms),
  }
}

/** `feedwright serve` on the copy, its log lines parsed as they come. */
const serve = (): { child: ChildProcess; lines: Line[] } => {
  const lines: Line[] = []
  const extra = Object.fromEntries(
    (process.env.BENCH_MILLION_ENV ?? '')
      .split(/\s+/)
      .filter(Boolean)
      .map((pair) => pair.split('=', 2) as [string, string]),
  )
  const child = spawn(
    process.execPath,
    [
      '--expose-gc',
      '--import',
      GC_ON_SIGNAL,
      ...(process.env.BENCH_MILLION_NODE_OPTIONS ?? '').split(/\s+/).filter(Boolean),
      CLI,
      'serve',
    ],
    {
      cwd: RUN,
      env: {
        PATH: process.env.PATH,
        PORT: '0',
        HOST: '127.0.0.1',
        DATA_DIR: join(RUN, 'data'),
        FEEDS_DIR: join(RUN, 'feeds'),
        FEEDWRIGHT_CONFIG: join(RUN, 'feedwright.config.json'),
        ...extra,
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  )
  let rest = ''
  child.stdout!.on('data', (chunk: Buffer) => {
    const parts = (rest + chunk.toString('utf8')).split('\n')
    rest = parts.pop()!
    for (const part of parts) {
      const line = part.startsWith('{') ? (JSON.parse(part) as Line) : textLine(part)
      if (line) lines.push(line)
    }
  })
  return { child, lines }
}

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms))

/** Waits until `holds`, sampling RSS every 200 ms meanwhile; the highest sample. */
const sampleUntil = async (pid: number, holds: () => boolean): Promise<number> => {
  let peak = 0
  while (!holds()) {
    peak = Math.max(peak, memoryOf(pid).rss)
    await sleep(200)
  }
  return peak
}

/** A few hundred requests a reader would send: feeds, their pages, archives, in each coding. */
const readFeeds = async (url: string, months: string[]): Promise<number> => {
  const paths = ['/feeds/rss.xml', '/feeds/atom.xml', '/feeds/feed.json', '/']
  for (let c = 0; c < CATEGORY_COUNT; c += 1)
    for (const format of ['rss.xml', 'atom.xml', 'feed.json'])
      paths.push(`/feeds/categories/category-${c}/${format}`)
  for (let page = 2; page <= 5; page += 1) paths.push(`/feeds/page/${page}/atom.xml`)
  for (const month of months.slice(-20)) paths.push(`/feeds/archive/${month}/atom.xml`)
  let failed = 0
  for (const coding of ['identity', 'gzip', 'br'])
    for (const path of paths) {
      const response = await fetch(url + path, { headers: { 'accept-encoding': coding } })
      await response.arrayBuffer()
      if (response.status !== 200) failed += 1
    }
  return failed
}

const monthsOf = (n: number): string[] => {
  const months = new Set<string>()
  for (let i = 0; i < n; i += 1_000)
    months.add(
      new Date(Date.UTC(1960, 0, 1) + i * 30 * 60_000).toISOString().slice(0, 7).replace('-', '/'),
    )
  return [...months]
}

const main = async () => {
  const stored = await cachedStore()
  if (process.env.BENCH_MILLION_STORE_ONLY) return
  await rm(RUN, { recursive: true, force: true })
  await mkdir(join(RUN, 'data'), { recursive: true })
  copyFileSync(stored, join(RUN, 'data', 'feedwright.db'))
  await writeFile(join(RUN, 'feedwright.config.json'), JSON.stringify({ site: { title: 'Bench' } }))
  const { child, lines } = serve()
  const pid = child.pid!
  const builds = () => lines.filter((l) => l.build !== undefined)
  const archiveBuild = () => builds().find((l) => (l.archiveMonths ?? 0) > 0)
  const url = () => lines.find((l) => l.url)?.url
  const exited = new Promise((done) => child.once('exit', done))
  let dead = false
  void exited.then(() => (dead = true))
  const cpuAtStart = { wall: performance.now(), cpu: 0 }
  const loadAtStart = loadavg()[0]!
  const peakDuring = await sampleUntil(pid, () => dead || archiveBuild() !== undefined)
  if (dead) throw new Error('the service exited before its first archive build ended')
  const first = archiveBuild()!
  const cpu = cpuOf(pid) - cpuAtStart.cpu
  const wall = (performance.now() - cpuAtStart.wall) / 1000
  const hwm = memoryOf(pid).hwm
  const failed = await readFeeds(url()!, monthsOf(ARTICLES))
  // Settled: what a quiet minute after a build leaves (idle build threads ended, timers run).
  await sleep(SETTLE_MS)
  child.kill('SIGUSR2') // gc-on-signal.mjs: a full collection, as a quiet period would bring
  await sleep(3_000)
  const steady = memoryOf(pid).rss
  // V8 shrinks a heap that has gone quiet on a timer of its own (its memory reducer, about 8 s
  // after a full collection): what the service holds once that has run, read too.
  await sleep(REDUCED_AFTER_MS - 3_000)
  const reduced = memoryOf(pid).rss
  child.kill('SIGTERM')
  await exited
  report({ first, peakDuring, hwm, steady, reduced, failed, cpu, wall, loadAtStart })
  if (!process.env.BENCH_MILLION_KEEP) await rm(RUN, { recursive: true, force: true })
}

interface Figures {
  first: Line
  peakDuring: number
  hwm: number
  steady: number
  /** RSS REDUCED_AFTER_MS after the collection. */
  reduced: number
  failed: number
  /** CPU seconds of the service, every thread, from its start to the end of the archive build. */
  cpu: number
  wall: number
  /** The machine's 1-minute load average when the service started (other work shares the cores). */
  loadAtStart: number
}

const report = (r: Figures) => {
  const scale = ARTICLES / 1_000_000
  const mib = (bytes: number) => Math.round(bytes / MIB)
  console.log(
    `\n${ARTICLES.toLocaleString('en')} articles, first start (dist/cli.js serve, ${process.env.BENCH_MILLION_ENV || 'default settings'}); ` +
      `${r.failed} of the settled requests not 200`,
  )
  console.table([
    {
      figure: `first archive build s (${r.first.archiveMonths} archive documents)`,
      measured: Number(((r.first.durationMs ?? 0) / 1000).toFixed(1)),
      before: Number(((FIRST_BUILD_BEFORE_MS * scale) / 1000).toFixed(1)),
      target: Number(((FIRST_BUILD_BEFORE_MS * scale) / 2000).toFixed(1)),
    },
    { figure: 'service CPU s, every thread, start to end of it', measured: round1(r.cpu) },
    {
      figure: 'cores used over it (CPU s ÷ wall s)',
      measured: Number((r.cpu / r.wall).toFixed(2)),
    },
    { figure: 'RSS MiB, peak during it (VmHWM)', measured: mib(r.hwm), before: 350, target: '' },
    {
      figure: 'RSS MiB, highest 200 ms sample',
      measured: mib(r.peakDuring),
      before: '',
      target: '',
    },
    {
      figure: 'RSS MiB, steady (after requests + GC)',
      measured: mib(r.steady),
      before: STEADY_BEFORE_MIB,
      target: STEADY_GOAL_MIB,
    },
    {
      figure: `RSS MiB, steady ${REDUCED_AFTER_MS / 1000} s after the GC`,
      measured: mib(r.reduced),
      before: '',
      target: STEADY_GOAL_MIB,
    },
  ])
  console.log(
    `${availableParallelism()} cores; load average at the start ${r.loadAtStart.toFixed(1)}, at the end: ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  )
  if (scale !== 1)
    console.log(`(the build's before/target scaled to ${scale} of 1M; RSS goals are 1M's)`)
}

await main()
