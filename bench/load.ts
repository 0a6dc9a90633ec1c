// Requests per second against the real app and a plain node:http baseline, in one run.
import autocannon from 'autocannon'
import { fork } from 'node:child_process'
import { resolve } from 'node:path'

interface Target {
  feedwright: number
  plain: number
  etag: string
  bytes: number
}

export interface LoadFigure {
  server: string
  case: string
  requestsPerSecond: number
  p99Ms: number
  wrongStatus: number
}

const measure = (port: number, path: string, headers: Record<string, string>, expected: number) =>
  new Promise<autocannon.Result>((done, fail) => {
    autocannon(
      {
        url: `http://127.0.0.1:${port}${path}`,
        connections: 32,
        pipelining: 1,
        duration: 5,
        headers,
      },
      (error, result) => (error ? fail(error) : done(result)),
    )
  }).then((result) => ({ result, expected }))

/** Serves `file` from a child process and measures 200 and 304 on both servers. */
export const measureServing = async (
  file: string,
  urlPath: string,
  updated: Date,
): Promise<LoadFigure[]> => {
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
  try {
    const cases = [
      ['200', {}, 200],
      ['304', { 'if-none-match': target.etag }, 304],
    ] as const
    for (const [name, headers, expected] of cases) {
      for (const [server, port] of [
        ['feedwright (Hono)', target.feedwright],
        ['plain node:http', target.plain],
      ] as const) {
        // A short warm-up, so the JIT has compiled the path before it is measured.
        await measure(port, urlPath, headers, expected)
        const { result } = await measure(port, urlPath, headers, expected)
        const stats = (result as { statusCodeStats?: Record<string, { count: number }> })
          .statusCodeStats
        figures.push({
          server,
          case: `${name} (${name === '200' ? `${(target.bytes / 1024).toFixed(0)} KiB` : 'no body'})`,
          requestsPerSecond: Math.round(result.requests.average),
          p99Ms: result.latency.p99,
          wrongStatus: result.requests.total - (stats?.[String(expected)]?.count ?? 0),
        })
      }
    }
  } finally {
    child.kill()
  }
  return figures
}
