// Requests during builds: event-loop delay and feed-request p99 while the site is rebuilt, with
// documents produced in-process (BUILD_THREADS=0) and on the build threads (cores − 1, and the
// default: one per core), in one run.
import { fork } from 'node:child_process'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join, resolve } from 'node:path'
import { availableParallelism } from 'node:os'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { createBuilder } from '../src/builder/builder.js'
import { defaultThreads } from '../src/builder/workers.js'
import type { SiteConfig } from '../src/config.js'
import { createPublishedOutputs } from '../src/publish/outputs.js'
import { openShelf } from '../src/publish/shelf.js'
import type { Store } from '../src/store/store.js'
import type { PacedFigures } from './paced-client.js'

export interface BuildLatency {
  threads: number
  firstBuildMs: number
  /** Event-loop delay max during the first build (every document new, archives included). */
  firstDelayMaxMs: number
  /** Median of the full rebuilds run while requests came in (same content: nothing re-checked). */
  fullRebuildMs: number
  rebuilds: number
  loopDelayMaxMs: number
  loopDelayP99Ms: number
  idle: PacedFigures
  building: PacedFigures
}

const RATE = Number(process.env.BENCH_LATENCY_RATE ?? 200)
const SECONDS = Number(process.env.BENCH_LATENCY_SECONDS ?? 6)
const PATH = '/feeds/rss.xml'

/** Requests at RATE per second for `seconds` from another process. */
const paced = (port: number, seconds: number): Promise<PacedFigures> =>
  new Promise((done, fail) => {
    const client = fork(
      resolve(import.meta.dirname, 'paced-client.ts'),
      [`http://127.0.0.1:${port}${PATH}`, String(RATE), String(seconds)],
      { execArgv: process.execArgv },
    )
    client.once('message', (figures) => done(figures as PacedFigures))
    client.once('error', fail)
    client.once('exit', (code) => code !== 0 && fail(new Error(`paced client exited ${code}`)))
  })

const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1] ?? 0

/** One mode: a first build, idle requests, then full rebuilds back to back under requests. */
const measureMode = async (
  store: Store,
  site: SiteConfig,
  dir: string,
  threads: number,
): Promise<BuildLatency> => {
  const feedsDir = join(dir, `threads-${threads}`)
  const outputs = createPublishedOutputs()
  const builder = createBuilder({
    settings: { site, feedLimit: 50, feedPages: 5, feedsDir, buildThreads: threads },
    dependencies: { store, outputs, shelf: await openShelf(feedsDir) },
    ownsChangeLog: false,
  })
  // The served feed: the serving thread is this one, as in the service, with nothing else to do.
  const server = createServer((req, res) => {
    const output = outputs.get(req.url ?? '')
    res.writeHead(output ? 200 : 404, { 'content-type': output?.contentType ?? 'text/plain' })
    res.end(output?.body)
  })
  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready))
  const { port } = server.address() as AddressInfo
  let id = threads * 1000
  const firstDelay = monitorEventLoopDelay({ resolution: 10 })
  firstDelay.enable()
  const first = await builder.build({ id: ++id, full: true })
  firstDelay.disable()
  const idle = await paced(port, 3)
  const delay = monitorEventLoopDelay({ resolution: 10 })
  const durations: number[] = []
  let running = true
  const load = paced(port, SECONDS).finally(() => (running = false))
  delay.enable()
  while (running) durations.push((await builder.build({ id: ++id, full: true })).durationMs)
  delay.disable()
  const building = await load
  await builder.close()
  server.close()
  return {
    threads,
    firstBuildMs: first.durationMs,
    firstDelayMaxMs: firstDelay.max / 1e6,
    fullRebuildMs: median(durations),
    rebuilds: durations.length,
    loopDelayMaxMs: delay.max / 1e6,
    loopDelayP99Ms: delay.percentile(99) / 1e6,
    idle,
    building,
  }
}

/**
 * In-process, on one build thread per core but one (the default before) and on the default (one
 * per core), over the same store: whether requests wait for builds when no core is left to them.
 */
export const measureBuildLatency = async (
  store: Store,
  site: SiteConfig,
  dir: string,
): Promise<BuildLatency[]> => {
  const counts = new Set([0, Math.max(1, availableParallelism() - 1), defaultThreads()])
  const rows: BuildLatency[] = []
  for (const threads of counts) rows.push(await measureMode(store, site, dir, threads))
  return rows
}

export const printBuildLatency = (rows: readonly BuildLatency[], articles: number): void => {
  console.log(
    `\nRequests during builds (${articles.toLocaleString('en')} articles, SQLite; GET ${PATH} at ${RATE}/s from another process ` +
      `for ${SECONDS} s of full rebuilds back to back, and 3 s idle; goal: p99 during builds ≤ 2× idle)`,
  )
  console.table(
    rows.map((r) => ({
      'build threads': r.threads === 0 ? '0 (in-process)' : r.threads,
      'first build ms': r.firstBuildMs.toFixed(0),
      'its loop delay max ms': r.firstDelayMaxMs.toFixed(1),
      'full rebuild ms (median)': r.fullRebuildMs.toFixed(0),
      rebuilds: r.rebuilds,
      'loop delay max ms': r.loopDelayMaxMs.toFixed(1),
      'loop delay p99 ms': r.loopDelayP99Ms.toFixed(1),
      'idle p99 ms': r.idle.p99Ms,
      'building p99 ms': r.building.p99Ms,
      'building max ms': r.building.maxMs,
      'p99 building / idle': (r.building.p99Ms / Math.max(r.idle.p99Ms, 1)).toFixed(2),
      'p99 ≤ 2× idle': r.building.p99Ms <= 2 * Math.max(r.idle.p99Ms, 1) ? 'yes' : 'no',
      'wrong status': r.idle.wrongStatus + r.building.wrongStatus,
    })),
  )
}
