// Instructions per request on every core (issue 12, goal 2), counted by valgrind's callgrind: the
// servers of bench/cluster.ts (feedwright WORKERS=1 and WORKERS=2, plain node:http on node:cluster)
// run under callgrind, children included, and a client outside valgrind sends each one a fixed
// number of requests per kind. Each process's count (primary and workers apart; all threads, user
// space only: not the kernel's socket work) does not depend on the load of other processes, so a
// cost only the cluster has (the primary's work while serving, a worker's per-request path) shows
// as a difference between WORKERS=1 and WORKERS=2 that req/s on a shared machine cannot show.
// `npx tsx bench/cluster-instructions.ts`; BENCH_INSTR_REQUESTS (4000 per round), BENCH_INSTR_ROUNDS
// (3), BENCH_INSTR_WARMUP (8000), BENCH_CLUSTER_ARTICLES (1000).
import autocannon from 'autocannon'
import { execFile } from 'node:child_process'
import { mkdir, mkdtemp, readdir, readFile, readlink, rm } from 'node:fs/promises'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { PATH, prepareSites, type Server, startFeedwright, startPlain } from './cluster.js'

const run = promisify(execFile)
const REQUESTS = Number(process.env.BENCH_INSTR_REQUESTS ?? 4_000)
const ROUNDS = Number(process.env.BENCH_INSTR_ROUNDS ?? 3)
const WARMUP = Number(process.env.BENCH_INSTR_WARMUP ?? 8_000)
// One connection per worker by default: each request then wakes its server on its own, and the
// count does not depend on how many requests a wake-up happens to find (timing under valgrind).
const CONNECTIONS = Number(process.env.BENCH_INSTR_CONNECTIONS ?? 2)
const WAIT_MS = 1_200_000
const ALL_KINDS = ['200 identity', '200 gzip', '304'] as const
type Kind = (typeof ALL_KINDS)[number]
// BENCH_INSTR_KINDS=304,200 gzip: some of them; BENCH_INSTR_KEEP=1 keeps the callgrind files
// (callgrind_annotate reads them) in the directory printed at the end.
const KINDS = ALL_KINDS.filter((kind) =>
  (process.env.BENCH_INSTR_KINDS?.split(',') ?? ALL_KINDS).includes(kind),
)
const KEEP = process.env.BENCH_INSTR_KEEP === '1'

const valgrind = (dir: string) => [
  'valgrind',
  '--tool=callgrind',
  '--instr-atstart=no',
  '--trace-children=yes',
  // tsx's esbuild service is a Go program: not ours to count, and slow under valgrind.
  '--trace-children-skip=*esbuild*',
  `--callgrind-out-file=${dir}/cg.%p`,
]

/** The server's process and its children that run under callgrind. */
const processesOf = async (pid: number): Promise<number[]> => {
  const children = await run('pgrep', ['-P', String(pid)]).then(
    ({ stdout }) => stdout.split('\n').filter(Boolean).map(Number),
    () => [] as number[],
  )
  const counted: number[] = []
  for (const p of [pid, ...children]) {
    const exe = await readlink(`/proc/${p}/exe`).catch(() => '')
    if (exe.includes('callgrind')) counted.push(p)
  }
  return counted
}

const control = (pids: number[], ...what: string[]) =>
  Promise.all(
    pids.map((pid) => run('callgrind_control', [...what, String(pid)], { timeout: 120_000 })),
  )

/** The key of dumpsOf's slow-path figure (no process has this id). */
const SLOW = -1

/**
 * Instructions in V8's runtime for an object literal's computed keys (inclusive): nextTick's tick
 * object once its inline cache is megamorphic (see src/http/tick-objects.ts); 0 when fast.
 */
const slowTicksOf = async (file: string): Promise<number> => {
  const { stdout } = await run('callgrind_annotate', ['--inclusive=yes', file], {
    maxBuffer: 64 << 20,
  })
  const line = stdout.split('\n').find((l) => l.includes('Runtime_DefineKeyedOwnPropertyInLiteral'))
  return Number(/^\s*([\d,]+)/.exec(line ?? '')?.[1]?.replaceAll(',', '') ?? 0)
}

/** The totals of the dumps not read yet, by process, and their nextTick slow path (all). */
const dumpsOf = async (dir: string, seen: Set<string>): Promise<Map<number, number>> => {
  const totals = new Map<number, number>()
  let slow = 0
  for (const file of (await readdir(dir)).filter((f) => /^cg\.\d+\.\d+$/.test(f))) {
    if (seen.has(file)) continue
    seen.add(file)
    const pid = Number(file.split('.')[1])
    const text = await readFile(join(dir, file), 'utf8')
    const total = Number(/^(?:summary|totals): (\d+)/m.exec(text)?.[1] ?? 0)
    totals.set(pid, (totals.get(pid) ?? 0) + total)
    slow += await slowTicksOf(join(dir, file))
  }
  totals.set(SLOW, slow)
  return totals
}

const headersOf = async (server: Server, kind: Kind): Promise<Record<string, string>> => {
  if (kind === '200 gzip') return { 'accept-encoding': 'gzip' }
  if (kind === '200 identity') return {}
  const etag = (await fetch(`${server.url}${PATH}`, { method: 'HEAD' })).headers.get('etag')!
  return { 'if-none-match': etag }
}

const send = (server: Server, headers: Record<string, string>, amount: number) =>
  new Promise<number>((done, fail) => {
    autocannon(
      { url: `${server.url}${PATH}`, connections: CONNECTIONS, amount, headers },
      (error, result) => (error ? fail(error) : done(result.non2xx)),
    )
  })

interface Measured {
  server: string
  kind: Kind
  /** Instructions per request, each round: all processes, and the server's own (the primary). */
  total: number[]
  own: number[]
  /** Of the total, nextTick's runtime slow path (see slowTicksOf). */
  slow: number[]
  wrong: number
}

/** One server, one kind: a warm-up, then ROUNDS counted runs of REQUESTS. */
const measureOne = async (server: Server, dir: string, kind: Kind): Promise<Measured> => {
  const headers = await headersOf(server, kind)
  const seen = new Set(await readdir(dir))
  const pids = await processesOf(server.pid)
  await send(server, headers, WARMUP)
  await control(pids, '-i', 'on')
  const figures: Measured = {
    ...{ server: server.name, kind },
    ...{ total: [], own: [], slow: [], wrong: 0 },
  }
  for (let round = 0; round < ROUNDS; round += 1) {
    await control(pids, '-z')
    await dumpsOf(dir, seen)
    const non2xx = await send(server, headers, REQUESTS)
    await control(pids, '-d')
    // A 304 is not 2xx: autocannon counts it with the others.
    if (kind !== '304') figures.wrong += non2xx
    const totals = await dumpsOf(dir, seen)
    const slow = totals.get(SLOW) ?? 0
    totals.delete(SLOW)
    const sum = [...totals.values()].reduce((a, b) => a + b, 0)
    figures.total.push(sum / REQUESTS)
    figures.slow.push(slow / REQUESTS)
    figures.own.push((totals.get(server.pid) ?? 0) / REQUESTS)
  }
  await control(pids, '-i', 'off')
  return figures
}

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0

const print = (all: Measured[]) => {
  const load = loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')
  console.log(
    `\nInstructions per request on every core (callgrind, user space, all processes of each ` +
      `server): ${REQUESTS} requests × ${ROUNDS} rounds after ${WARMUP} to warm up, ` +
      `${CONNECTIONS} connections; load average ${load}`,
  )
  const names = [...new Set(all.map((m) => m.server))]
  const k = (n: number) => `${(n / 1000).toFixed(1)}k`
  const cell = (m: Measured) =>
    `${k(median(m.total))} (${k(Math.min(...m.total))}–${k(Math.max(...m.total))}; primary ${k(median(m.own))}; nextTick slow path ${k(median(m.slow))})`
  console.log(`| request | ${names.join(' | ')} | WORKERS=2 ÷ WORKERS=1 | WORKERS=2 ÷ node:http |`)
  console.log(`|---|${names.map(() => '---:|').join('')}---:|---:|`)
  for (const kind of KINDS) {
    const of = (name: string) => all.find((m) => m.server === name && m.kind === kind)!
    const ratio = (a: string, b: string) => (median(of(a).total) / median(of(b).total)).toFixed(3)
    console.log(
      `| ${kind} | ${names.map((n) => cell(of(n))).join(' | ')} | ` +
        `${ratio('WORKERS=2', 'WORKERS=1')} | ${ratio('WORKERS=2', 'node:http')} |`,
    )
  }
}

const main = async () => {
  const base = await mkdtemp(join(tmpdir(), 'feedwright-cluster-instr-'))
  const servers: Server[] = []
  try {
    await prepareSites(base, 'two')
    const launch = async (name: string, start: (prefix: string[]) => Promise<Server>) => {
      const dir = join(base, `cg-${name.replace(/\W/g, '-')}`)
      await mkdir(dir)
      const server = await start(valgrind(dir))
      servers.push(server)
      return { server, dir }
    }
    const one = await launch('WORKERS=1', (prefix) =>
      startFeedwright('WORKERS=1', join(base, 'one'), '1', { prefix, waitMs: WAIT_MS }),
    )
    const two = await launch('WORKERS=2', (prefix) =>
      startFeedwright('WORKERS=2', join(base, 'two'), '2', { prefix, waitMs: WAIT_MS }),
    )
    const plain = await launch('node:http', (prefix) =>
      startPlain(join(base, 'static'), one.server, { prefix, waitMs: WAIT_MS }),
    )
    const all: Measured[] = []
    for (const kind of KINDS) {
      for (const { server, dir } of [one, two, plain]) all.push(await measureOne(server, dir, kind))
    }
    print(all)
  } finally {
    await Promise.all(servers.map((s) => s.stop()))
    if (KEEP) console.log(`callgrind files kept in ${base}`)
    else await rm(base, { recursive: true, force: true })
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main()
