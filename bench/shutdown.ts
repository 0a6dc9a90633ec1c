// `npx tsx bench/shutdown.ts`: SIGTERM to the built service (dist/) while it renders a large
// archive, against the time that archive takes in full, in one run. BENCH_SHUTDOWN_ARTICLES sets
// the store's size (default 200,000: about 140 monthly archives of 1,460 articles).
import { spawn } from 'node:child_process'
import { existsSync, readdirSync } from 'node:fs'
import { mkdir, rm, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { openSqliteStore } from '../src/store/sqlite.js'
import { syntheticBatches } from './synthetic.js'

const ARTICLES = Number(process.env.BENCH_SHUTDOWN_ARTICLES ?? 200_000)
const CLI = resolve(import.meta.dirname, '../dist/cli.js')
const DIR = resolve(import.meta.dirname, '.out', 'shutdown')

interface Line {
  msg: string
  build?: number
  archiveMonths?: number
  archiveMonthsDeferred?: number
  durationMs?: number
  interrupted?: boolean
  url?: string
}

/** Runs `feedwright serve` until `stopWhen` holds, then SIGTERM; resolves with its log and timings. */
const run = (stopWhen: (lines: Line[]) => boolean) =>
  new Promise<{ lines: Line[]; stopMs: number; code: number | null }>((done, fail) => {
    const lines: Line[] = []
    const child = spawn(process.execPath, [CLI, 'serve'], {
      cwd: DIR,
      env: {
        PATH: process.env.PATH,
        PORT: '0',
        DATA_DIR: join(DIR, 'data'),
        FEEDS_DIR: join(DIR, 'feeds'),
        FEEDWRIGHT_CONFIG: join(DIR, 'feedwright.config.json'),
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    let signalled = 0
    let rest = ''
    child.stdout.on('data', (chunk: Buffer) => {
      const parts = (rest + chunk.toString('utf8')).split('\n')
      rest = parts.pop()!
      for (const part of parts) if (part) lines.push(JSON.parse(part) as Line)
    })
    // Polled: a build logs nothing until it ends, while the condition may hold long before.
    const poll = setInterval(() => {
      if (signalled || !stopWhen(lines)) return
      signalled = performance.now()
      child.kill('SIGTERM')
    }, 20)
    child.once('error', fail)
    child.once('exit', (code) => {
      clearInterval(poll)
      done({ lines, stopMs: performance.now() - signalled, code })
    })
  })

await rm(DIR, { recursive: true, force: true })
await mkdir(DIR, { recursive: true })
await writeFile(join(DIR, 'feedwright.config.json'), JSON.stringify({ site: { title: 'Bench' } }))
process.stdout.write(`${ARTICLES.toLocaleString('en')} articles … `)
const store = openSqliteStore(join(DIR, 'data', 'feedwright.db'))
for (const batch of syntheticBatches(0, ARTICLES)) await store.articles.upsertMany(batch)
await store.close()
console.log('stored')

const builds = (lines: Line[]) => lines.filter((l) => l.build !== undefined)
// First start: SIGTERM once the archive build has written two months.
const archiveFeedsWritten = (): number =>
  existsSync(join(DIR, 'feeds', 'archive'))
    ? readdirSync(join(DIR, 'feeds', 'archive'), { recursive: true, encoding: 'utf8' }).filter(
        (f) => /^\d{4}[/\\]\d{2}[/\\]rss\.xml$/.test(f),
      ).length
    : 0
const cut = await run(() => archiveFeedsWritten() >= 2)
const months = builds(cut.lines)[0]?.archiveMonthsDeferred ?? 0
const cutBuild = builds(cut.lines)[1]
// Second start: the months left, rendered in full, as the baseline.
const rest = await run((lines) => builds(lines).some((l) => (l.archiveMonths ?? 0) > 0))
const finished = builds(rest.lines).find((l) => (l.archiveMonths ?? 0) > 0)
const perMonth = (finished?.durationMs ?? 0) / (finished?.archiveMonths ?? 1)

console.log(
  `\nSIGTERM during the first archive build (${months} months of ~1,460 articles; dist/cli.js serve)`,
)
console.table([
  {
    'exit code': cut.code,
    'SIGTERM → exit ms': Math.round(cut.stopMs),
    'months rendered before the cut': cutBuild?.archiveMonths,
    'build interrupted': cutBuild?.interrupted === true,
    'next start: months rendered': finished?.archiveMonths,
    'next start: archive build ms': finished?.durationMs,
    'ms per month': Math.round(perMonth),
    'whole archive ms (estimate)': Math.round(perMonth * months),
    'exit / whole archive': (cut.stopMs / (perMonth * months)).toFixed(4),
  },
])
await rm(DIR, { recursive: true, force: true })
