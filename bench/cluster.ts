// Serving on every core (issue 12, goal 2): feedwright with WORKERS=1 and WORKERS=auto, and nginx
// (Debian's nginx-light: 2 workers, sendfile, gzip_static) serving the same feeds/ files, measured
// side by side with wrk in alternating rounds. Prints req/s and each one's ratio to nginx next to
// the targets (200: 0.6×, 304: 0.4×), and plain node:http on the same cores (bench/plain-cluster.ts)
// as the baseline of what Node itself can do. Runs alone: `npx tsx bench/cluster.ts`; BENCH_CLUSTER_ROUNDS
// (3), BENCH_CLUSTER_SECONDS (4), BENCH_CLUSTER_ARTICLES (1000).
import { type ChildProcess, execFile, spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { availableParallelism, loadavg, tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { openSqliteStore } from '../src/store/sqlite.js'
import { syntheticBatches } from './synthetic.js'

const run = promisify(execFile)
// BENCH_FEEDWRIGHT_ROOT: the checkout whose feedwright is measured (e.g. another branch's, for a
// before/after pair); this one by default.
const ROOT = resolve(process.env.BENCH_FEEDWRIGHT_ROOT ?? resolve(import.meta.dirname, '..'))
const ROUNDS = Number(process.env.BENCH_CLUSTER_ROUNDS ?? 3)
const SECONDS = Number(process.env.BENCH_CLUSTER_SECONDS ?? 4)
const ARTICLES = Number(process.env.BENCH_CLUSTER_ARTICLES ?? 1_000)
const NGINX = '/usr/sbin/nginx'
export const PATH = '/feeds/rss.xml'
const TOKEN = 'bench-token-0123456789abcdef'
/** Goal 2's targets: feedwright's req/s over nginx's. */
const TARGET: Readonly<Record<string, number>> = {
  '200 identity': 0.6,
  '200 gzip': 0.6,
  '304': 0.4,
}
// In this order ('304', a key like an index, would come first among the object's keys).
const KINDS = ['200 identity', '200 gzip', '304']

export interface Server {
  name: string
  url: string
  /** The server's process: its CPU time and its children's (workers) count. */
  pid: number
  stop: () => Promise<void>
}

const until = async (what: string, check: () => Promise<boolean>, ms = 120_000) => {
  const end = Date.now() + ms
  while (!(await check().catch(() => false))) {
    if (Date.now() > end) throw new Error(`bench/cluster: not within ${ms} ms: ${what}`)
    await new Promise((r) => setTimeout(r, 200))
  }
}

const siteEnv = (dir: string): Record<string, string> => {
  const config = join(dir, 'feedwright.config.json')
  return {
    FEEDWRIGHT_CONFIG: config,
    DATA_DIR: join(dir, 'data'),
    FEEDS_DIR: join(dir, 'feeds'),
    SITE_URL: 'https://news.example.org',
    FEEDWRIGHT_ADMIN_TOKEN: TOKEN,
    LOG_LEVEL: 'warn',
  }
}

/** A site of ARTICLES synthetic articles in SQLite; its feeds are built by the first start. */
export const makeSite = async (dir: string): Promise<void> => {
  await mkdir(join(dir, 'data'), { recursive: true })
  await writeFile(join(dir, 'feedwright.config.json'), JSON.stringify({ site: { title: 'Bench' } }))
  const store = openSqliteStore(join(dir, 'data', 'feedwright.db'))
  for (const batch of syntheticBatches(0, ARTICLES)) await store.articles.upsertMany(batch)
  await store.close()
}

const exited = (child: ChildProcess) =>
  new Promise<void>((done) => (child.exitCode !== null ? done() : child.once('exit', () => done())))

/** How a server is started: the command before node's (e.g. valgrind's) and how long to wait. */
export interface Launch {
  prefix?: string[]
  waitMs?: number
}

/** `feedwright serve` (from the sources, through tsx; workers inherit it) on a free port. */
export const startFeedwright = async (
  name: string,
  dir: string,
  workers: string,
  { prefix = [], waitMs = 120_000 }: Launch = {},
): Promise<Server> => {
  const command = [
    ...prefix,
    process.execPath,
    '--import',
    'tsx',
    join(ROOT, 'src/cli.ts'),
    'serve',
  ]
  const child = spawn(command[0]!, command.slice(1), {
    env: { ...process.env, ...siteEnv(dir), PORT: '0', WORKERS: workers, LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'inherit'],
    cwd: ROOT,
  })
  let output = ''
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()))
  await until(`${name} listens`, async () => /serving on http:\/\//.test(output), waitMs)
  const url = /serving on (http:\/\/[^\s"]+)/.exec(output)![1]!
  // Restored outputs are replaced by a first build while serving: measure after it.
  await until(`${name} is ready`, async () => (await fetch(`${url}/readyz`)).status === 200, waitMs)
  // …and after the archive months a start-up build defers, rendered next while serving.
  await until(
    `${name} has built its archives`,
    async () => {
      const latest = await fetch(`${url}/api/builds/latest`, {
        headers: { authorization: `Bearer ${TOKEN}` },
      })
      return (
        latest.ok &&
        !((await latest.json()) as { archiveMonthsDeferred?: number }).archiveMonthsDeferred
      )
    },
    waitMs,
  )
  return {
    name,
    url,
    pid: child.pid!,
    stop: async () => {
      child.kill('SIGTERM')
      await exited(child)
    },
  }
}

/** nginx serving the same files: 2 workers, sendfile, gzip_static (etag on, as by default). */
const startNginx = async (dir: string, feedsDir: string): Promise<Server | undefined> => {
  if (!existsSync(NGINX)) return undefined
  const port = 20_000 + Math.floor(Math.random() * 40_000)
  const conf = join(dir, 'nginx.conf')
  const user = process.getuid?.() === 0 ? 'user root;' : ''
  await writeFile(
    conf,
    `${user}\nworker_processes 2;\npid ${dir}/nginx.pid;\nerror_log ${dir}/error.log;\n` +
      `events { worker_connections 1024; }\nhttp {\n  include /etc/nginx/mime.types;\n` +
      `  access_log off; sendfile on; tcp_nopush on; gzip_static on;\n` +
      `  client_body_temp_path ${dir}/body; proxy_temp_path ${dir}/proxy;\n` +
      `  fastcgi_temp_path ${dir}/fastcgi; uwsgi_temp_path ${dir}/uwsgi; scgi_temp_path ${dir}/scgi;\n` +
      `  server { listen 127.0.0.1:${port}; location /feeds/ { alias ${feedsDir}/; } }\n}\n`,
  )
  const child = spawn(NGINX, ['-p', dir, '-c', conf, '-g', 'daemon off;'], { stdio: 'inherit' })
  const url = `http://127.0.0.1:${port}`
  await until('nginx listens', async () => (await fetch(`${url}${PATH}`)).status === 200, 10_000)
  return {
    name: 'nginx',
    url,
    pid: child.pid!,
    stop: async () => {
      child.kill('SIGQUIT')
      await exited(child)
    },
  }
}

const PLAIN = 'node:http'

/** The header fields feedwright sends with its 200 for `acceptEncoding`, as a plain object. */
const headersOf = async (
  server: Server,
  acceptEncoding: string,
): Promise<Record<string, string>> => {
  const response = await fetch(`${server.url}${PATH}`, {
    headers: { 'accept-encoding': acceptEncoding },
  })
  await response.arrayBuffer()
  const perConnection = new Set(['date', 'connection', 'keep-alive', 'transfer-encoding'])
  return Object.fromEntries([...response.headers].filter(([name]) => !perConnection.has(name)))
}

/**
 * The baseline: plain node:http on node:cluster, one worker per core (bench/plain-cluster.ts),
 * sending the bytes and header fields `like` sends (identity and gzip, 304 on its ETag).
 */
export const startPlain = async (
  feedsDir: string,
  like: Server,
  { prefix = [], waitMs = 120_000 }: Launch = {},
): Promise<Server> => {
  const port = 20_000 + Math.floor(Math.random() * 40_000)
  const headers = {
    identity: await headersOf(like, 'identity'),
    gzip: await headersOf(like, 'gzip'),
  }
  const file = join(feedsDir, 'rss.xml')
  const args = [file, `${file}.gz`, String(port), JSON.stringify(headers)]
  const script = join(import.meta.dirname, 'plain-cluster.ts')
  const command = [...prefix, process.execPath, '--import', 'tsx', script, ...args]
  const child = spawn(command[0]!, command.slice(1), { stdio: 'inherit' })
  const url = `http://127.0.0.1:${port}`
  await until(
    'node:http listens',
    async () => (await fetch(`${url}${PATH}`)).status === 200,
    waitMs,
  )
  return {
    name: PLAIN,
    url,
    pid: child.pid!,
    stop: async () => {
      child.kill('SIGTERM')
      await exited(child)
    },
  }
}

/** The headers of one kind of request, for this server (its own ETag for the 304). */
const caseHeaders = async (server: Server, kind: string): Promise<string[]> => {
  if (kind === '200 gzip') return ['-H', 'Accept-Encoding: gzip']
  if (kind === '200 identity') return []
  const etag = (await fetch(`${server.url}${PATH}`, { method: 'HEAD' })).headers.get('etag')!
  return ['-H', `If-None-Match: ${etag}`]
}

const TICKS_PER_SECOND = 100

/** CPU seconds (user + system) of one process, from /proc (Linux); 0 once it is gone. */
const cpuOf = async (pid: number): Promise<number> => {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '')
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return (Number(fields[11] ?? 0) + Number(fields[12] ?? 0)) / TICKS_PER_SECOND
}

/**
 * CPU seconds of a server's own process (a cluster's primary, nginx's master) and of its children
 * (the workers), apart: where a cluster's CPU goes.
 */
const cpuSeconds = async (pid: number): Promise<{ own: number; children: number }> => {
  const children = await run('pgrep', ['-P', String(pid)]).then(
    ({ stdout }) => stdout.split('\n').filter(Boolean).map(Number),
    () => [] as number[],
  )
  const own = await cpuOf(pid)
  let sum = 0
  for (const child of children) sum += await cpuOf(child)
  return { own, children: sum }
}

interface Run {
  rps: number
  /** The server's CPU time per request, µs: steadier than req/s when other work shares the cores. */
  cpuMicros: number
  /** Of which the server's own process (a cluster's primary), µs per request. */
  ownMicros: number
  /** Answers that were not 2xx/3xx (must be 0). */
  errors: number
}

/** One wrk run against one server. */
const wrk = async (server: Server, headers: string[]): Promise<Run> => {
  const args = ['-t2', '-c64', `-d${SECONDS}s`, ...headers, `${server.url}${PATH}`]
  const before = await cpuSeconds(server.pid)
  const { stdout } = await run('wrk', args, { maxBuffer: 1 << 20 })
  const after = await cpuSeconds(server.pid)
  const requests = Number(/(\d+) requests in/.exec(stdout)?.[1] ?? 0)
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(stdout)?.[1] ?? 0)
  const errors = Number(/Non-2xx or 3xx responses: (\d+)/.exec(stdout)?.[1] ?? 0)
  const perRequest = (seconds: number) => (requests > 0 ? (seconds * 1e6) / requests : 0)
  const own = after.own - before.own
  return {
    rps,
    cpuMicros: perRequest(own + after.children - before.children),
    ownMicros: perRequest(own),
    errors,
  }
}

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0

/** Rounds of every case on every server, in turn, so that load elsewhere hits them alike. */
const measure = async (servers: Server[]) => {
  const kinds = KINDS
  const runs = new Map<string, Run[]>()
  let errors = 0
  for (let round = 0; round < ROUNDS; round += 1) {
    for (const kind of kinds) {
      const order = round % 2 === 0 ? servers : [...servers].reverse()
      for (const server of order) {
        const result = await wrk(server, await caseHeaders(server, kind))
        errors += result.errors
        const key = `${server.name}|${kind}`
        runs.set(key, [...(runs.get(key) ?? []), result])
      }
    }
  }
  const medianOf = (server: string, kind: string, figure: 'rps' | 'cpuMicros' | 'ownMicros') =>
    median((runs.get(`${server}|${kind}`) ?? []).map((r) => r[figure]))
  return { kinds, medianOf, errors }
}

type Figures = Awaited<ReturnType<typeof measure>>

/** One table: each server's figure, and feedwright's ratio to nginx (higher is better). */
const printTable = (names: string[], figures: Figures, figure: 'rps' | 'cpuMicros') => {
  const hasNginx = names.includes('nginx')
  const unit = figure === 'rps' ? 'req/s' : 'CPU µs/req'
  const ratioHeads =
    ` WORKERS=auto ÷ ${PLAIN} |` +
    (hasNginx ? ` ${PLAIN} ÷ nginx | WORKERS=1 ÷ nginx | WORKERS=auto ÷ nginx | target |` : '')
  console.log(`| request | ${names.map((n) => `${n} ${unit}`).join(' | ')} |${ratioHeads}`)
  console.log(
    `|---|${names.map(() => '---:|').join('')}---:|${hasNginx ? '---:|---:|---:|---:|' : ''}`,
  )
  for (const kind of figures.kinds) {
    const value = (n: string) => figures.medianOf(n, kind, figure)
    const cells = names.map((n) => value(n).toFixed(figure === 'rps' ? 0 : 1))
    // For CPU time, nginx's µs over feedwright's: the req/s ratio the cores would give if the
    // servers had them to themselves.
    const ratio = (n: string, to = 'nginx') =>
      (figure === 'rps' ? value(n) / value(to) : value(to) / value(n)).toFixed(2)
    const ratios =
      ` ${ratio('WORKERS=auto', PLAIN)} |` +
      (hasNginx
        ? ` ${ratio(PLAIN)} | ${ratio('WORKERS=1')} | ${ratio('WORKERS=auto')} | ≥ ${TARGET[kind]} |`
        : '')
    console.log(`| ${kind} | ${cells.join(' | ')} |${ratios}`)
  }
}

/** Of each server's CPU time per request, what its own process took (a primary, nginx's master). */
const printOwn = (names: string[], figures: Figures) => {
  console.log(`\nOf which the server's own process (primary, master), CPU µs/req:`)
  console.log(`| request | ${names.join(' | ')} |`)
  console.log(`|---|${names.map(() => '---:|').join('')}`)
  for (const kind of figures.kinds) {
    const cells = names.map((n) => figures.medianOf(n, kind, 'ownMicros').toFixed(1))
    console.log(`| ${kind} | ${cells.join(' | ')} |`)
  }
}

const print = (servers: Server[], figures: Figures) => {
  const names = servers.map((s) => s.name)
  const load = loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')
  console.log(
    `\nServing on every core: ${PATH} of a ${ARTICLES}-article site, wrk -t2 -c64, ` +
      `${ROUNDS} alternating rounds of ${SECONDS} s (medians); ${availableParallelism()} cores, ` +
      `load average ${load}`,
  )
  printTable(names, figures, 'rps')
  console.log('\nThe same runs, server CPU time per request (workers included):')
  printTable(names, figures, 'cpuMicros')
  printOwn(names, figures)
  if (!names.includes('nginx'))
    console.log(`(${NGINX} is not installed: no nginx column; apt install nginx-light)`)
  if (figures.errors > 0) console.log(`!! ${figures.errors} answers were not 2xx/3xx`)
}

/**
 * The bench site under `base`/one, built once, and its copies: the whole of it under `base`/`copy`
 * (a second feedwright), its feeds/ under `base`/static (node:http and nginx).
 */
export const prepareSites = async (base: string, copy: string): Promise<void> => {
  await makeSite(join(base, 'one'))
  // The first start builds every feed (nothing to restore); the other copies start from them.
  await (await startFeedwright('build', join(base, 'one'), '1')).stop()
  await cp(join(base, 'one'), join(base, copy), { recursive: true })
  await cp(join(base, 'one', 'feeds'), join(base, 'static'), { recursive: true })
}

/** Builds the bench site once, copies it for each server, measures, prints, stops everything. */
export const measureCluster = async (): Promise<void> => {
  const base = await mkdtemp(join(tmpdir(), 'feedwright-cluster-'))
  const servers: Server[] = []
  try {
    await prepareSites(base, 'auto')
    servers.push(await startFeedwright('WORKERS=1', join(base, 'one'), '1'))
    servers.push(await startFeedwright('WORKERS=auto', join(base, 'auto'), 'auto'))
    servers.push(await startPlain(join(base, 'static'), servers[0]!))
    const nginx = await startNginx(base, join(base, 'static'))
    if (nginx) servers.push(nginx)
    print(servers, await measure(servers))
  } finally {
    await Promise.all(servers.map((s) => s.stop()))
    await rm(base, { recursive: true, force: true })
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await measureCluster()
