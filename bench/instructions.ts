// Instructions per request (issue 12, goal 1), counted by valgrind's callgrind: the serving
// benchmark's child (bench/serve-target.ts: feedwright, the same with metrics, plain node:http, all
// serving the same bytes) runs under callgrind, and a client outside valgrind sends each server a
// fixed number of requests per kind. The count of instructions the server process (all its
// threads, user space only: not the kernel's socket work) executed for them does not depend on
// the load of other processes, unlike req/s or CPU time, so the ratio is repeatable on a shared
// machine. Each server is warmed up first (the JIT's tiers), then measured in alternating rounds.
// `npx tsx bench/instructions.ts`; BENCH_INSTR_REQUESTS (2000 per round), BENCH_INSTR_ROUNDS (3),
// BENCH_INSTR_WARMUP (6000), BENCH_INSTR_ARTICLES (1000).
import autocannon from 'autocannon'
import { execFile, spawn } from 'node:child_process'
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { loadavg, tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { encodedEtag } from '../src/publish/encodings.js'
import { siteFeed } from './load.js'

const run = promisify(execFile)
const REQUESTS = Number(process.env.BENCH_INSTR_REQUESTS ?? 2_000)
const ROUNDS = Number(process.env.BENCH_INSTR_ROUNDS ?? 3)
const WARMUP = Number(process.env.BENCH_INSTR_WARMUP ?? 6_000)
const ARTICLES = Number(process.env.BENCH_INSTR_ARTICLES ?? 1_000)
const CONNECTIONS = 8
const PATH = '/feeds/rss.xml'

interface Target {
  feedwright: number
  metrics: number
  plain: number
  etag: string
}

/** The kinds of request, as bench/load.ts sends them. */
const cases = (etag: string) => [
  { name: '200 identity', method: 'GET', headers: { 'accept-encoding': 'identity' } },
  { name: '200 gzip', method: 'GET', headers: { 'accept-encoding': 'gzip' } },
  { name: '200 brotli', method: 'GET', headers: { 'accept-encoding': 'br, gzip' } },
  { name: '304 identity', method: 'GET', headers: { 'if-none-match': etag } },
  {
    name: '304 brotli',
    method: 'GET',
    headers: { 'accept-encoding': 'br, gzip', 'if-none-match': encodedEtag(etag, 'br') },
  },
  // GET with the HEAD's headers: autocannon cannot read a HEAD answer without help, and the
  // serving benchmark (bench/load.ts) measures HEAD by req/s.
]

/** Sends `amount` requests over CONNECTIONS kept-alive connections; the answers' statuses. */
const send = (port: number, request: ReturnType<typeof cases>[number], amount: number) =>
  new Promise<Record<string, number>>((done, fail) => {
    autocannon(
      {
        url: `http://127.0.0.1:${port}${PATH}`,
        connections: CONNECTIONS,
        amount,
        method: request.method as 'GET',
        headers: request.headers,
      },
      (error, result) => {
        if (error) return fail(error)
        const stats = (result as { statusCodeStats?: Record<string, { count: number }> })
          .statusCodeStats
        done(Object.fromEntries(Object.entries(stats ?? {}).map(([k, v]) => [k, v.count])))
      },
    )
  })

/** callgrind_control on the server: zero the counters, or dump them and read the total. */
const control = (pid: number, ...what: string[]) =>
  run('callgrind_control', [...what, String(pid)], { timeout: 60_000 })

const totalOf = async (dir: string, seen: Set<string>): Promise<number> => {
  const fresh = (await readdir(dir)).filter((f) => f.startsWith('cg.') && !seen.has(f))
  let total = 0
  for (const f of fresh) {
    seen.add(f)
    const text = await readFile(join(dir, f), 'utf8')
    total += Number(/^(?:summary|totals): (\d+)/m.exec(text)?.[1] ?? 0)
  }
  return total
}

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!

/** Starts bench/serve-target.ts under callgrind (instrumentation off until the first zeroing). */
const startTarget = async (dir: string, file: string, updated: Date) => {
  const script = resolve(import.meta.dirname, 'serve-target.ts')
  const child = spawn(
    'valgrind',
    [
      '--tool=callgrind',
      '--instr-atstart=no',
      `--callgrind-out-file=${dir}/cg.%p`,
      process.execPath,
      '--import',
      'tsx',
      script,
      file,
      PATH,
      updated.toISOString(),
    ],
    { stdio: ['ignore', 'ignore', 'pipe', 'ipc'] },
  )
  let errors = ''
  child.stderr!.on('data', (chunk: Buffer) => (errors += chunk.toString()))
  const target = await new Promise<Target>((done, fail) => {
    child.once('message', (m) => done(m as Target))
    child.once('exit', (code) =>
      fail(new Error(`serve-target under valgrind exited ${code}:\n${errors}`)),
    )
  })
  return { child, target }
}

type Side = 'plain' | 'feedwright' | 'metrics'
const SIDES: Side[] = ['plain', 'feedwright', 'metrics']

/** Each case, each side: warm-up, then ROUNDS rounds (the sides' order turning) of REQUESTS. */
const measure = async (dir: string, pid: number, target: Target) => {
  const seen = new Set(await readdir(dir))
  const figures: Array<{ name: string; perRequest: Record<Side, number[]>; wrong: number }> = []
  for (const request of cases(target.etag)) {
    const expected = request.name.startsWith('304') ? '304' : '200'
    const perRequest: Record<Side, number[]> = { plain: [], feedwright: [], metrics: [] }
    let wrong = 0
    for (const side of SIDES) await send(target[side], request, WARMUP)
    await control(pid, '-i', 'on')
    for (let round = 0; round < ROUNDS; round += 1) {
      const order = SIDES.map((_, i) => SIDES[(i + round) % SIDES.length]!)
      for (const side of order) {
        await control(pid, '-z')
        await totalOf(dir, seen)
        const statuses = await send(target[side], request, REQUESTS)
        await control(pid, '-d')
        wrong += REQUESTS - (statuses[expected] ?? 0)
        perRequest[side].push((await totalOf(dir, seen)) / REQUESTS)
      }
    }
    await control(pid, '-i', 'off')
    figures.push({ name: request.name, perRequest, wrong })
  }
  return figures
}

const print = (figures: Awaited<ReturnType<typeof measure>>) => {
  const load = loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')
  console.log(
    `\nInstructions per request (callgrind, server process, user space), ${PATH} of a ` +
      `${ARTICLES}-article site: ${REQUESTS} requests × ${ROUNDS} rounds per side after ` +
      `${WARMUP} to warm up, ${CONNECTIONS} connections; load average ${load}`,
  )
  console.log(
    '| request | node:http | feedwright | with metrics | feedwright ÷ node:http (rounds) | metrics ÷ feedwright |',
  )
  console.log('|---|---:|---:|---:|---:|---:|')
  for (const { name, perRequest, wrong } of figures) {
    const k = (side: Side) => (median(perRequest[side]) / 1000).toFixed(1) + 'k'
    const ratios = perRequest.feedwright.map((f, i) => f / perRequest.plain[i]!)
    const cost = median(perRequest.metrics) / median(perRequest.feedwright)
    console.log(
      `| ${name} | ${k('plain')} | ${k('feedwright')} | ${k('metrics')} | ` +
        `${median(ratios).toFixed(3)} (${Math.min(...ratios).toFixed(3)}–${Math.max(...ratios).toFixed(3)}) | ` +
        `${cost.toFixed(3)} |${wrong > 0 ? ` !! ${wrong} wrong statuses` : ''}`,
    )
  }
}

const main = async () => {
  const dir = await mkdtemp(join(tmpdir(), 'feedwright-instr-'))
  try {
    const { file, updated } = await siteFeed(dir, ARTICLES)
    const { child, target } = await startTarget(dir, file, updated)
    try {
      print(await measure(dir, child.pid!, target))
    } finally {
      const exited = new Promise((done) => child.once('exit', done))
      child.kill()
      await exited
    }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main()
