// Requests per second against the real app and a plain node:http baseline, in one run.
import autocannon from 'autocannon'
import { fork } from 'node:child_process'
import { resolve } from 'node:path'
import { encodedEtag } from '../src/publish/encodings.js'

interface Target {
  feedwright: number
  /** The same app with metrics on (counted requests, /metrics). */
  metrics: number
  plain: number
  etag: string
  bytes: Record<'identity' | 'gzip' | 'br', number>
}

/** Metrics on against off for one kind of request: paired rounds, their ratios' median. */
export interface MetricsCost {
  case: string
  offRequestsPerSecond: number
  onRequestsPerSecond: number
  /** Median of the rounds' on/off ratios; each round measures both, in alternating order. */
  ratio: number
  ratioRange: [number, number]
  /** The server process's CPU time per request (µs), medians, and the rounds' on/off ratios. */
  offCpuMicros: number
  onCpuMicros: number
  cpuRatio: number
  cpuRatioRange: [number, number]
}

// Short alternating rounds: load from other processes on a shared machine hits both sides alike.
// BENCH_COST_ROUNDS raises the rounds when the machine is noisy.
const COST_ROUNDS = Number(process.env.BENCH_COST_ROUNDS ?? 7)
const COST_SECONDS = 2

const medianOf = (values: number[]): number =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!

export interface LoadFigure {
  server: string
  case: string
  requestsPerSecond: number
  p99Ms: number
  wrongStatus: number
}

const measure = (
  port: number,
  path: string,
  headers: Record<string, string>,
  expected: number,
  duration = 5,
) =>
  new Promise<autocannon.Result>((done, fail) => {
    autocannon(
      {
        url: `http://127.0.0.1:${port}${path}`,
        connections: 32,
        pipelining: 1,
        duration,
        headers,
      },
      (error, result) => (error ? fail(error) : done(result)),
    )
  }).then((result) => ({ result, expected }))

/**
 * Serves `file` from a child process and measures 200 and 304 on both servers, then the same app
 * with metrics on against off.
 */
export const measureServing = async (
  file: string,
  urlPath: string,
  updated: Date,
): Promise<{ figures: LoadFigure[]; costs: MetricsCost[] }> => {
  const child = fork(
    resolve(import.meta.dirname, 'serve-target.ts'),
    [file, urlPath, updated.toISOString()],
    {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    },
  )
  const target = await new Promise<Target>((done) =>
    child.once('message', (m) => done(m as Target)),
  )
  const figures: LoadFigure[] = []
  const costs: MetricsCost[] = []
  try {
    const kib = (n: number) => `${(n / 1024).toFixed(1)} KiB`
    const cases = [
      ['200 identity', { 'accept-encoding': 'identity' }, 200, kib(target.bytes.identity)],
      ['200 gzip', { 'accept-encoding': 'gzip' }, 200, kib(target.bytes.gzip)],
      ['200 brotli', { 'accept-encoding': 'br, gzip' }, 200, kib(target.bytes.br)],
      ['304 identity', { 'if-none-match': target.etag }, 304, 'no body'],
      [
        '304 brotli',
        { 'accept-encoding': 'br, gzip', 'if-none-match': encodedEtag(target.etag, 'br') },
        304,
        'no body',
      ],
    ] as const
    for (const [name, headers, expected, size] of cases) {
      for (const [server, port] of [
        ['feedwright (Hono)', target.feedwright],
        ['plain node:http', target.plain],
      ] as const) {
        // A short warm-up, so the JIT has compiled the path before it is measured.
        await measure(port, urlPath, headers, expected, 2)
        const { result } = await measure(port, urlPath, headers, expected)
        const stats = (result as { statusCodeStats?: Record<string, { count: number }> })
          .statusCodeStats
        figures.push({
          server,
          case: `${name} (${size})`,
          requestsPerSecond: Math.round(result.requests.average),
          p99Ms: result.latency.p99,
          wrongStatus: result.requests.total - (stats?.[String(expected)]?.count ?? 0),
        })
      }
    }
    const cpu = () =>
      new Promise<number>((done) => {
        child.once('message', (m) => done((m as { cpuMicros: number }).cpuMicros))
        child.send('cpu')
      })
    const rate = async (port: number, headers: Record<string, string>, expected: number) => {
      const before = await cpu()
      const { result } = await measure(port, urlPath, headers, expected, COST_SECONDS)
      const used = (await cpu()) - before
      return { rps: result.requests.average, cpuMicros: used / result.requests.total }
    }
    for (const [name, headers, expected, size] of cases) {
      if (name === '200 identity') continue // bound by copying 97 KiB, not by the server's work
      await rate(target.metrics, headers, expected) // warm-up of the metrics server's path
      const off: Array<{ rps: number; cpuMicros: number }> = []
      const on: Array<{ rps: number; cpuMicros: number }> = []
      for (let round = 0; round < COST_ROUNDS; round += 1) {
        const order = round % 2 === 0 ? (['off', 'on'] as const) : (['on', 'off'] as const)
        for (const side of order) {
          const value = await rate(
            side === 'on' ? target.metrics : target.feedwright,
            headers,
            expected,
          )
          ;(side === 'on' ? on : off).push(value)
        }
      }
      const ratios = on.map((value, i) => value.rps / off[i]!.rps)
      const cpuRatios = on.map((value, i) => value.cpuMicros / off[i]!.cpuMicros)
      costs.push({
        case: `${name} (${size})`,
        offRequestsPerSecond: Math.round(medianOf(off.map((v) => v.rps))),
        onRequestsPerSecond: Math.round(medianOf(on.map((v) => v.rps))),
        ratio: medianOf(ratios),
        ratioRange: [Math.min(...ratios), Math.max(...ratios)],
        offCpuMicros: medianOf(off.map((v) => v.cpuMicros)),
        onCpuMicros: medianOf(on.map((v) => v.cpuMicros)),
        cpuRatio: medianOf(cpuRatios),
        cpuRatioRange: [Math.min(...cpuRatios), Math.max(...cpuRatios)],
      })
    }
  } finally {
    child.kill()
  }
  return { figures, costs }
}
