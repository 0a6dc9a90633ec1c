// Requests per second against the real app and a plain node:http baseline, in one run: paired,
// alternating rounds per kind of request, so load from other processes hits both sides alike.
import autocannon from 'autocannon'
import { execFileSync, fork, spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { availableParallelism, loadavg, tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { createBuilder } from '../src/builder/builder.js'
import { fileFor } from '../src/publish/files.js'
import { createPublishedOutputs } from '../src/publish/outputs.js'
import { openSqliteStore } from '../src/store/sqlite.js'
import { syntheticBatches } from './synthetic.js'
import { encodedEtag } from '../src/publish/encodings.js'

interface Target {
  feedwright: number
  /** The same app with metrics on (counted requests, /metrics). */
  metrics: number
  plain: number
  etag: string
  bytes: Record<'identity' | 'gzip' | 'br', number>
}

/** Two servers measured on one kind of request: paired rounds, medians and the rounds' ratios. */
export interface Pairing {
  case: string
  /** Requests per second, medians of the rounds. */
  rps: [number, number]
  /** Median of the rounds' second/first ratios; each round measures both, in alternating order. */
  ratio: number
  ratioRange: [number, number]
  /** 99th percentile latency (ms), medians of the rounds. */
  p99Ms: [number, number]
  /** The server process's CPU time per request (µs), medians, and the rounds' ratios' median. */
  cpuMicros: [number, number]
  cpuRatio: number
  cpuRatioRange: [number, number]
  /** Answers with another status than expected, over all rounds (must be 0). */
  wrongStatus: number
}

// Short alternating rounds: on a shared machine the load of other processes changes from second to
// second, and a ratio of two rounds measured back to back is steadier than two long runs.
// BENCH_SERVE_ROUNDS / BENCH_COST_ROUNDS raise the rounds when the machine is noisy.
const SERVE_ROUNDS = Number(process.env.BENCH_SERVE_ROUNDS ?? 5)
const COST_ROUNDS = Number(process.env.BENCH_COST_ROUNDS ?? 7)
const ROUND_SECONDS = 2
const CONNECTIONS = 32
const SITE_URL = 'https://news.example.org'

const medianOf = (values: number[]): number =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!

interface Case {
  name: string
  headers: Record<string, string>
  expected: number
  method: 'GET' | 'HEAD'
}

/**
 * autocannon's parser does not know a HEAD answer has no body and would wait for the
 * Content-Length bytes (RFC 9110 §9.3.2): tell it to skip the body, as Node's client does.
 */
const headClient = (client: { parser: Record<symbol, (...args: unknown[]) => unknown> }) =>
  queueMicrotask(() => {
    const { parser } = client
    const key = (parser.constructor as unknown as { kOnHeadersComplete: symbol }).kOnHeadersComplete
    const onHeaders = parser[key]!
    parser[key] = (...args: unknown[]) => {
      onHeaders(...args)
      return true
    }
  })

const measure = (port: number, path: string, request: Case, duration: number) =>
  new Promise<autocannon.Result>((done, fail) => {
    autocannon(
      {
        url: `http://127.0.0.1:${port}${path}`,
        connections: CONNECTIONS,
        pipelining: 1,
        duration,
        headers: request.headers,
        method: request.method,
        ...(request.method === 'HEAD' && { setupClient: headClient }),
      } as autocannon.Options,
      (error, result) => (error ? fail(error) : done(result)),
    )
  })

interface Round {
  rps: number
  p99Ms: number
  cpuMicros: number
  wrong: number
}

/** Measures each port in turn, `rounds` times, alternating which goes first. */
const pairedRounds = async (
  ports: [number, number],
  path: string,
  request: Case,
  rounds: number,
  cpu: () => Promise<number>,
): Promise<Omit<Pairing, 'case'>> => {
  const round = async (port: number): Promise<Round> => {
    const before = await cpu()
    const result = await measure(port, path, request, ROUND_SECONDS)
    const used = (await cpu()) - before
    const stats = (result as { statusCodeStats?: Record<string, { count: number }> })
      .statusCodeStats
    return {
      rps: result.requests.average,
      p99Ms: result.latency.p99,
      cpuMicros: used / Math.max(1, result.requests.total),
      wrong: result.requests.total - (stats?.[String(request.expected)]?.count ?? 0),
    }
  }
  // A warm-up of each side, so the JIT has compiled both paths before they are measured.
  for (const port of ports) await measure(port, path, request, 1)
  const sides: [Round[], Round[]] = [[], []]
  for (let i = 0; i < rounds; i += 1) {
    for (const side of i % 2 === 0 ? [0, 1] : [1, 0]) sides[side]!.push(await round(ports[side]!))
  }
  const [a, b] = sides
  const ratios = b.map((r, i) => r.rps / a[i]!.rps)
  const cpuRatios = b.map((r, i) => r.cpuMicros / a[i]!.cpuMicros)
  const med = (side: Round[], key: keyof Round) => medianOf(side.map((r) => r[key]))
  return {
    rps: [Math.round(med(a, 'rps')), Math.round(med(b, 'rps'))],
    ratio: medianOf(ratios),
    ratioRange: [Math.min(...ratios), Math.max(...ratios)],
    p99Ms: [med(a, 'p99Ms'), med(b, 'p99Ms')],
    cpuMicros: [med(a, 'cpuMicros'), med(b, 'cpuMicros')],
    cpuRatio: medianOf(cpuRatios),
    cpuRatioRange: [Math.min(...cpuRatios), Math.max(...cpuRatios)],
    wrongStatus: [...a, ...b].reduce((sum, r) => sum + r.wrong, 0),
  }
}

const casesFor = (target: Target): Array<Case & { size: string }> => {
  const kib = (n: number) => `${(n / 1024).toFixed(1)} KiB`
  const brTag = encodedEtag(target.etag, 'br')
  const get = 'GET' as const
  return [
    {
      name: '200 identity',
      headers: { 'accept-encoding': 'identity' },
      expected: 200,
      method: get,
      size: kib(target.bytes.identity),
    },
    {
      name: '200 gzip',
      headers: { 'accept-encoding': 'gzip' },
      expected: 200,
      method: get,
      size: kib(target.bytes.gzip),
    },
    {
      name: '200 brotli',
      headers: { 'accept-encoding': 'br, gzip' },
      expected: 200,
      method: get,
      size: kib(target.bytes.br),
    },
    {
      name: '304 identity',
      headers: { 'if-none-match': target.etag },
      expected: 304,
      method: get,
      size: 'no body',
    },
    {
      name: '304 brotli',
      headers: { 'accept-encoding': 'br, gzip', 'if-none-match': brTag },
      expected: 304,
      method: get,
      size: 'no body',
    },
    {
      name: 'HEAD brotli',
      headers: { 'accept-encoding': 'br, gzip' },
      expected: 200,
      method: 'HEAD',
      size: 'no body',
    },
  ]
}

// BENCH_PIN=1: the server on the last core, this process (autocannon) on the others (taskset), so
// that the client and the server never take turns on one core. Other processes may still share
// them: on a shared machine it steadies the ratio, it does not isolate the cores.
const PIN = process.env.BENCH_PIN === '1' && availableParallelism() > 1

/** The server's process, pinned to the last core with BENCH_PIN=1 (and this one to the rest). */
const spawnTarget = (script: string, args: string[]) => {
  const stdio: ['ignore', 'inherit', 'inherit', 'ipc'] = ['ignore', 'inherit', 'inherit', 'ipc']
  if (!PIN) return fork(script, args, { execArgv: ['--import', 'tsx'], stdio })
  const last = availableParallelism() - 1
  execFileSync('taskset', ['-a', '-p', '-c', `0-${last - 1}`, String(process.pid)])
  const command = [String(last), process.execPath, '--import', 'tsx', script, ...args]
  return spawn('taskset', ['-c', ...command], { stdio })
}

/** Starts the serving benchmark's child process: feedwright, the same with metrics, node:http. */
const startTarget = async (file: string, urlPath: string, updated: Date, script: string) => {
  const child = spawnTarget(script, [file, urlPath, updated.toISOString()])
  const target = await new Promise<Target>((done) =>
    child.once('message', (m) => done(m as Target)),
  )
  // The child's CPU time, asked around each round: server work per request, which load from
  // other processes on a shared machine hardly changes (unlike requests per second).
  const cpu = () =>
    new Promise<number>((done) => {
      child.once('message', (m) => done((m as { cpuMicros: number }).cpuMicros))
      child.send('cpu')
    })
  return { child, target, cpu }
}

/**
 * Serves `file` from a child process and measures every kind of request on feedwright against
 * plain node:http, then the same app with metrics on against off.
 */
export const measureServing = async (
  file: string,
  urlPath: string,
  updated: Date,
  { script = resolve(import.meta.dirname, 'serve-target.ts'), costs: withCosts = true } = {},
): Promise<{ baseline: Pairing[]; costs: Pairing[] }> => {
  const { child, target, cpu } = await startTarget(file, urlPath, updated, script)
  const baseline: Pairing[] = []
  const costs: Pairing[] = []
  try {
    const cases = casesFor(target)
    for (const request of cases) {
      const ports: [number, number] = [target.plain, target.feedwright]
      const figures = await pairedRounds(ports, urlPath, request, SERVE_ROUNDS, cpu)
      baseline.push({ case: `${request.name} (${request.size})`, ...figures })
    }
    for (const request of withCosts ? cases : []) {
      // 200 identity is bound by copying 97 KiB, not by the server's work.
      if (request.name === '200 identity') continue
      const ports: [number, number] = [target.feedwright, target.metrics]
      const figures = await pairedRounds(ports, urlPath, request, COST_ROUNDS, cpu)
      costs.push({ case: `${request.name} (${request.size})`, ...figures })
    }
  } finally {
    child.kill()
  }
  return { baseline, costs }
}

const range = ([low, high]: [number, number]) => `${low.toFixed(2)}–${high.toFixed(2)}`

/** Issue 12 goal 1: feedwright ≥ 1.0× plain node:http for the same bytes, p99 no worse. */
export const printLoad = (figures: Pairing[]) => {
  console.log(
    `\nServing the site RSS feed: feedwright (Hono, as the service runs it) vs plain node:http with the same bytes and headers` +
      `\n(autocannon, 32 connections, ${process.env.BENCH_SERVE_ROUNDS ?? 5} alternating 2 s rounds each, server in its own process).` +
      '\nTarget: req/s ratio ≥ 1.00 and p99 no worse; the server CPU per request is the steadier figure on a shared machine',
  )
  console.table(
    figures.map((f) => ({
      request: f.case,
      'node:http req/s': f.rps[0].toLocaleString('en'),
      'feedwright req/s': f.rps[1].toLocaleString('en'),
      'req/s ratio (target ≥ 1.00)': f.ratio.toFixed(3),
      'rounds min–max': range(f.ratioRange),
      'p99 ms node:http / feedwright': `${f.p99Ms[0]} / ${f.p99Ms[1]}`,
      'CPU µs/req node:http / feedwright': `${f.cpuMicros[0].toFixed(1)} / ${f.cpuMicros[1].toFixed(1)}`,
      'CPU ratio': f.cpuRatio.toFixed(3),
      'wrong status': f.wrongStatus,
    })),
  )
}

/** Metrics on against off, per request kind, from the same run: the 5 % budget of issue 13. */
export const printMetricsCost = (costs: Pairing[]) => {
  console.log(
    `\nServing with metrics on vs off (the same app in one process, ${process.env.BENCH_COST_ROUNDS ?? 7} alternating 2 s rounds each).` +
      '\nThe server CPU time per request is the steadier figure on a shared machine; req/s is shown too.' +
      "\nRatios are the median of the rounds' on/off ratios (1.000 = no cost; below 1.05 for CPU, above 0.95 for req/s = within 5 %)",
  )
  console.table(
    costs.map((c) => ({
      request: c.case,
      'off CPU µs/req': c.cpuMicros[0].toFixed(1),
      'on CPU µs/req': c.cpuMicros[1].toFixed(1),
      'CPU on / off': c.cpuRatio.toFixed(3),
      'CPU rounds min–max': range(c.cpuRatioRange),
      'off req/s': c.rps[0].toLocaleString('en'),
      'on req/s': c.rps[1].toLocaleString('en'),
      'req/s on / off': c.ratio.toFixed(3),
    })),
  )
}

/** The site feed of `articles` synthetic articles, built as the service builds it, in `dir`. */
export const siteFeed = async (
  dir: string,
  articles: number,
): Promise<{ file: string; urlPath: string; updated: Date }> => {
  const store = openSqliteStore(join(dir, 'feedwright.db'))
  for (const batch of syntheticBatches(0, articles)) await store.articles.upsertMany(batch)
  const outputs = createPublishedOutputs()
  const feedsDir = join(dir, 'feeds')
  const builder = createBuilder({
    settings: {
      site: { title: 'Bench', description: 'Synthetic articles', url: SITE_URL, language: 'en' },
      feedLimit: 50,
      feedPages: 5,
      hubUrl: `${SITE_URL}/websub`,
      feedsDir,
      buildThreads: 0,
    },
    dependencies: { store, outputs },
  })
  await builder.build({ id: 1 })
  await builder.close()
  await store.close()
  const site = outputs.get('/feeds/rss.xml')!
  return {
    file: fileFor(feedsDir, site.urlPath),
    urlPath: site.urlPath,
    updated: site.lastModified,
  }
}

// `npx tsx bench/load.ts`: the serving part of `npm run bench` alone, over the site feed of a
// 1,000-article site (BENCH_SERVE_ROUNDS, BENCH_COST_ROUNDS, BENCH_PIN as above).
if (import.meta.url === `file://${process.argv[1]}`) {
  const dir = await mkdtemp(join(tmpdir(), 'feedwright-load-'))
  try {
    const { file, urlPath, updated } = await siteFeed(dir, 1_000)
    const { baseline, costs } = await measureServing(file, urlPath, updated)
    console.log(`
load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`)
    printLoad(baseline)
    printMetricsCost(costs)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}
