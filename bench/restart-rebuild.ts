// A full rebuild after a restart: the service (`node dist/cli.js serve`, after `npm run build`) on
// RESTART_REBUILD_ARTICLES synthetic articles (default 30,000: 21 months, ~300 archive parts)
// builds everything, stops, starts again on the same FEEDS_DIR, and is asked for
// `POST /api/rebuild {"full": true}`. Every document comes out as the bytes already served, which
// the run before wrote: prints the rebuild's time and what the process wrote meanwhile (wchar in
// /proc/<pid>/io, every thread), next to the bytes the feeds take on disk.
// `npx tsx bench/restart-rebuild.ts`; RESTART_REBUILD_CLI runs another checkout's dist/cli.js.
import type { ChildProcess } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises'
import { loadavg, tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { openSqliteStore } from '../src/store/sqlite.js'
import { startServe } from './service.js'
import { syntheticBatches } from './synthetic.js'

const ARTICLES = Number(process.env.RESTART_REBUILD_ARTICLES ?? 30_000)
const CLI = resolve(process.env.RESTART_REBUILD_CLI ?? join(import.meta.dirname, '../dist/cli.js'))
const TOKEN = 'restart-rebuild-bench-token'

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms))

/** The service on `dir`; its address once it serves. */
const start = (dir: string) => startServe({ cli: CLI, dir, adminToken: TOKEN })

const api = async (url: string, path: string, body?: unknown): Promise<Record<string, unknown>> => {
  const response = await fetch(url + path, {
    ...(body !== undefined && { method: 'POST', body: JSON.stringify(body) }),
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
  })
  return (await response.json()) as Record<string, unknown>
}

/** Until the latest build finished with nothing left for the next (the archive at a first start). */
const settled = async (url: string): Promise<void> => {
  for (;;) {
    const latest = await api(url, '/api/builds/latest')
    if (latest.status === 'finished' && !latest.archiveMonthsDeferred) return
    await sleep(200)
  }
}

const stop = async (child: ChildProcess): Promise<void> => {
  const exited = new Promise((done) => child.once('exit', done))
  child.kill('SIGTERM')
  await exited
}

/** Bytes the process handed to write() so far, every thread. */
const written = (pid: number): number =>
  Number(/^wchar:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/io`, 'utf8'))?.[1])

/** The bytes of the files under `dir`. */
const sizeOf = async (dir: string): Promise<number> => {
  let bytes = 0
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true }))
    if (entry.isFile()) bytes += (await stat(join(entry.parentPath, entry.name))).size
  return bytes
}

const main = async (): Promise<void> => {
  const dir = await mkdtemp(join(tmpdir(), 'feedwright-restart-rebuild-'))
  try {
    const store = openSqliteStore(join(dir, 'data', 'feedwright.db'))
    for (const batch of syntheticBatches(0, ARTICLES)) await store.articles.upsertMany(batch)
    await store.close()
    const first = await start(dir)
    await settled(first.url)
    await stop(first.child)
    const again = await start(dir)
    await settled(again.url)
    const pid = again.child.pid!
    const before = written(pid)
    const started = performance.now()
    const ticket = await api(again.url, '/api/rebuild', { full: true })
    let report = ticket
    while (report.status !== 'finished') {
      await sleep(100)
      report = await api(again.url, `/api/builds/${String(ticket.id)}`)
    }
    const ms = performance.now() - started
    const wrote = written(pid) - before
    await stop(again.child)
    const MB = (bytes: number) => (bytes / 1_000_000).toFixed(1)
    console.log(`${CLI}, ${ARTICLES.toLocaleString('en')} articles: a full rebuild after a restart`)
    console.table({
      [CLI]: {
        'rebuild ms': Math.round(ms),
        'archive documents rendered': report.archiveMonths,
        'outputs published / unchanged': `${String(report.published)} / ${String(report.unchanged)}`,
        'written MB': MB(wrote),
        'feeds on disk MB': MB(await sizeOf(join(dir, 'feeds'))),
        failures: (report.failures as unknown[]).length,
      },
    })
    console.log(
      `load average at the end: ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}`,
    )
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

await main()
