// `npm run bench`: store size vs build and query cost, and serving speed next to plain node:http.
// BENCH_SIZES=1000,100000 limits the store sizes (default 1k, 100k, 1M); BENCH_IMPORT_ITEMS sets the
// size of the imported feed (default 200k). BENCH_PARTS=build measures the builds only (the store
// sizes table and requests during builds).
import { rm } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { createBuilder } from '../src/builder/builder.js'
import type { BuildReport } from '../src/builder/report.js'
import { defaultThreads } from '../src/builder/workers.js'
import { createPublishedOutputs, type PublishedOutputs } from '../src/publish/outputs.js'
import { fileFor } from '../src/publish/files.js'
import { openShelf } from '../src/publish/shelf.js'
import pg from 'pg'
import { openPostgresStore } from '../src/store/postgres.js'
import { openSqliteStore } from '../src/store/sqlite.js'
import type { Store, Selection } from '../src/store/store.js'
import { type Pairing, measureServing, printLoad, printMetricsCost } from './load.js'
import { measureImport } from './import.js'
import { measureCluster } from './cluster.js'
import { measureFanOut } from './websub.js'
import { type BuildLatency, measureBuildLatency, printBuildLatency } from './build-latency.js'
import { CATEGORY_COUNT, syntheticArticle, syntheticBatches } from './synthetic.js'

const SITE = {
  title: 'Bench Science',
  description: 'Synthetic articles',
  url: 'https://news.example.org',
  language: 'en',
}
const FEED_LIMIT = 50
const FEED_PAGES = 5
// One-article rebuilds measured in a row: their median is the figure (issue 12 goal 3: ≥ 10×
// faster than a full rebuild); the first one may also start a new archive part.
const NEW_ARTICLES = 5
const NEW_ARTICLE_TARGET = 10
// Archives hold the whole history: above this size the first build of every month takes minutes,
// so larger stores are measured without them (BENCH_ARCHIVES_UP_TO raises it).
const ARCHIVES_UP_TO = Number(process.env.BENCH_ARCHIVES_UP_TO ?? 100_000)
const OUT = resolve(import.meta.dirname, '.out')
// BENCH_DATABASE_URL: the PostgreSQL server to measure (default: the one this kind of machine runs).
const DATABASE_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
const sizes = (process.env.BENCH_SIZES ?? '1000,100000,1000000').split(',').map(Number)
const buildOnly = process.env.BENCH_PARTS === 'build'

/** CPU milliseconds the process (all its threads) spent since a process.cpuUsage() reading. */
const cpuSince = (since: NodeJS.CpuUsage): number => {
  const { user, system } = process.cpuUsage(since)
  return (user + system) / 1000
}
const ms = (since: bigint) => Number(process.hrtime.bigint() - since) / 1e6
const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)]!

const queryLatency = async (store: Store, selection: Selection): Promise<number> => {
  const samples: number[] = []
  for (let i = 0; i < 101; i += 1) {
    const started = process.hrtime.bigint()
    await store.articles.newestFor(selection, FEED_LIMIT)
    samples.push(ms(started))
  }
  return median(samples)
}

interface SizeFigures {
  store: string
  articles: number
  insertPerSecond: number
  siteQueryMs: number
  categoryQueryMs: number
  archives: boolean
  first: BuildReport
  full: BuildReport
  oneChange: BuildReport
  /** Builds after one new article each (NEW_ARTICLES of them), in order. */
  newArticle: BuildReport[]
  /** CPU ms (every thread of the process) of the full rebuild and of each new-article build. */
  cpuMs: { full: number; newArticle: number[] }
  rssMb: number
}

/** A store to measure: opened fresh and empty, dropped afterwards. */
interface StoreKind {
  name: string
  sizes: number[]
  open: (size: number) => Promise<{ store: Store; drop: () => Promise<void> }>
}

const sqlite: StoreKind = {
  name: 'SQLite',
  sizes,
  open: async (size) => {
    const dir = join(OUT, `sqlite-${size}`)
    await rm(dir, { recursive: true, force: true })
    return {
      store: openSqliteStore(join(dir, 'store.db')),
      drop: () => rm(dir, { recursive: true, force: true }),
    }
  },
}

// PostgreSQL at the sizes the multi-instance set-up is for (issue 6): 100k and 1M.
const postgres: StoreKind = {
  name: 'PostgreSQL',
  sizes: sizes.filter((n) => n >= 100_000),
  open: async (size) => {
    const schema = `feedwright_bench_${size}`
    const admin = new pg.Client({ connectionString: DATABASE_URL })
    await admin.connect()
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
    const store = await openPostgresStore({ connectionString: DATABASE_URL, schema })
    return {
      store,
      drop: async () => {
        await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
        await admin.end()
      },
    }
  },
}

const postgresReason = async (): Promise<string | undefined> => {
  const client = new pg.Client({ connectionString: DATABASE_URL, connectionTimeoutMillis: 2_000 })
  try {
    await client.connect()
    return undefined
  } catch (error) {
    return error instanceof Error ? error.message : String(error)
  } finally {
    await client.end().catch(() => undefined)
  }
}

const benchStore = async (
  kind: StoreKind,
  size: number,
): Promise<{ figures: SizeFigures; siteFeedFile: string; updated: Date }> => {
  const dir = join(OUT, `${kind.name}-${size}`)
  await rm(dir, { recursive: true, force: true })
  const { store, drop } = await kind.open(size)
  const insertStarted = process.hrtime.bigint()
  for (const batch of syntheticBatches(0, size)) await store.articles.upsertMany(batch)
  const insertMs = ms(insertStarted)

  const feedsDir = join(dir, 'feeds')
  const archives = size <= ARCHIVES_UP_TO
  // The service's defaults: 5 pages per feed, monthly archives of the site feed, a hub link.
  const start = async (outputs: PublishedOutputs) =>
    createBuilder({
      settings: {
        site: SITE,
        feedLimit: FEED_LIMIT,
        feedPages: FEED_PAGES,
        hubUrl: `${SITE.url}/websub`,
        feedsDir,
        // As the service builds: BUILD_THREADS, or one thread per core but one.
        buildThreads: Number(process.env.BUILD_THREADS ?? defaultThreads()),
      },
      dependencies: { store, outputs, ...(archives && { shelf: await openShelf(feedsDir) }) },
    })
  // The first start renders every archive month; it also warms up the JIT and the page cache.
  const first = await (await start(createPublishedOutputs())).build({ id: 1 })
  // A restart: memory empty, every feed rebuilt, archives read back from the shelf's manifest.
  const outputs = createPublishedOutputs()
  const builder = await start(outputs)
  let cpu = process.cpuUsage()
  const full = await builder.build({ id: 2 })
  const cpuMs = { full: cpuSince(cpu), newArticle: [] as number[] }
  const changed = { ...syntheticArticle(size - 1), title: 'Changed title' }
  await store.articles.upsert(changed)
  const oneChange = await builder.build({ id: 3 })
  const newArticle: BuildReport[] = []
  for (let i = 0; i < NEW_ARTICLES; i += 1) {
    await store.articles.upsert(syntheticArticle(size + i))
    cpu = process.cpuUsage()
    newArticle.push(await builder.build({ id: 4 + i }))
    cpuMs.newArticle.push(cpuSince(cpu))
  }
  const figures: SizeFigures = {
    store: kind.name,
    articles: size,
    insertPerSecond: Math.round(size / (insertMs / 1000)),
    siteQueryMs: await queryLatency(store, { kind: 'site' }),
    categoryQueryMs: await queryLatency(store, { kind: 'category', slug: 'category-7' }),
    archives,
    first,
    full,
    oneChange,
    newArticle,
    cpuMs,
    rssMb: Math.round(process.memoryUsage().rss / 2 ** 20),
  }
  await store.close()
  await drop()
  const site = outputs.get('/feeds/rss.xml')!
  return { figures, siteFeedFile: fileFor(feedsDir, site.urlPath), updated: site.lastModified }
}

const fmt = (n: number, digits = 1) => n.toFixed(digits)

const printSizes = (rows: SizeFigures[]) => {
  console.log(
    `\nStore size vs cost (site + ${CATEGORY_COUNT} categories + 1 author = 22 feeds × ${FEED_PAGES} pages × 3 formats + a page for people, ${FEED_LIMIT} items a page; the site's monthly archives)`,
  )
  console.table(
    rows.map((r) => ({
      store: r.store,
      articles: r.articles.toLocaleString('en'),
      'insert /s': r.insertPerSecond.toLocaleString('en'),
      'newest 50 site ms': fmt(r.siteQueryMs, 3),
      'newest 50 category ms': fmt(r.categoryQueryMs, 3),
      'first build ms (all archives)': r.archives ? fmt(r.first.durationMs) : 'archives off',
      'full rebuild ms': fmt(r.full.durationMs),
      'parse-back share': `${fmt((100 * r.full.timings.checkMs) / r.full.durationMs)} %`,
      'render ms': fmt(r.full.timings.renderMs),
      'check ms': fmt(r.full.timings.checkMs),
      'check ÷ render (target ≤ 1.00)': fmt(r.full.timings.checkMs / r.full.timings.renderMs, 2),
      'query ms': fmt(r.full.timings.queryMs),
      'write ms': fmt(r.full.timings.publishMs),
      'one-change rebuild ms': fmt(r.oneChange.durationMs),
      'outputs re-rendered': r.oneChange.rendered,
      failures:
        r.full.failures.length +
        r.oneChange.failures.length +
        r.newArticle.reduce((n, b) => n + b.failures.length, 0),
      'RSS MiB': r.rssMb,
    })),
  )
  printNewArticle(rows)
}

/** Issue 12 goal 3: one new article re-renders only what it changes, ≥ 10× faster than a full rebuild. */
const printNewArticle = (rows: SizeFigures[]) => {
  console.log(
    `\nOne new article (${NEW_ARTICLES} in a row, one build each, median) vs the full rebuild above, same run.` +
      `\nTarget: full ÷ one new article ≥ ${NEW_ARTICLE_TARGET}; outputs re-rendered from each build's report`,
  )
  console.table(
    rows.map((r) => {
      const byDuration = [...r.newArticle].sort((a, b) => a.durationMs - b.durationMs)
      const middle = byDuration[Math.floor(byDuration.length / 2)]!
      const medianCpu = median([...r.cpuMs.newArticle])
      return {
        store: r.store,
        articles: r.articles.toLocaleString('en'),
        'full rebuild ms': fmt(r.full.durationMs),
        'outputs rendered (full)': r.full.rendered,
        'one new article ms (median)': fmt(middle.durationMs),
        'min–max ms': `${fmt(byDuration[0]!.durationMs)}–${fmt(byDuration.at(-1)!.durationMs)}`,
        'outputs re-rendered (in order)': r.newArticle.map((b) => b.rendered).join(', '),
        'render / check / query / write ms (median)': [
          middle.timings.renderMs,
          middle.timings.checkMs,
          middle.timings.queryMs,
          middle.timings.publishMs,
        ]
          .map((t) => fmt(t))
          .join(' / '),
        'archive parts re-rendered (in order)': r.newArticle.map((b) => b.archiveMonths).join(', '),
        [`full ÷ new article (target ≥ ${NEW_ARTICLE_TARGET})`]: fmt(
          r.full.durationMs / middle.durationMs,
          2,
        ),
        'CPU ms full / new article (median)': `${fmt(r.cpuMs.full, 0)} / ${fmt(medianCpu, 0)}`,
        'CPU ratio': fmt(r.cpuMs.full / medianCpu, 2),
      }
    }),
  )
}

/** Requests while the smallest store is rebuilt, in-process and on the build threads. */
const latencyDuringBuilds = async (size: number): Promise<BuildLatency[]> => {
  const { store, drop } = await sqlite.open(size)
  try {
    for (const batch of syntheticBatches(0, size)) await store.articles.upsertMany(batch)
    return await measureBuildLatency(store, SITE, join(OUT, `latency-${size}`))
  } finally {
    await store.close()
    await drop()
    await rm(join(OUT, `latency-${size}`), { recursive: true, force: true })
  }
}

const rows: SizeFigures[] = []
let load: Pairing[] = []
let costs: Pairing[] = []
const unreachable = await postgresReason()
const kinds = unreachable ? [sqlite] : [sqlite, postgres]
for (const kind of kinds) {
  for (const size of kind.sizes) {
    process.stdout.write(`${kind.name}, ${size.toLocaleString('en')} articles … `)
    const started = Date.now()
    const { figures, siteFeedFile, updated } = await benchStore(kind, size)
    rows.push(figures)
    console.log(`done in ${((Date.now() - started) / 1000).toFixed(1)} s`)
    if (load.length === 0 && !buildOnly)
      ({ baseline: load, costs } = await measureServing(siteFeedFile, '/feeds/rss.xml', updated))
    await rm(join(OUT, `${kind.name}-${size}`), { recursive: true, force: true })
  }
}
if (unreachable)
  console.log(`\nPostgreSQL: not measured, no server at ${DATABASE_URL} (${unreachable})`)
printSizes(rows)
const latencySize = Math.min(...sizes)
printBuildLatency(await latencyDuringBuilds(latencySize), latencySize)
if (buildOnly) process.exit(0)
printLoad(load)
printMetricsCost(costs)
await measureCluster()

const fanOut = await measureFanOut()
console.log(
  `\nWebSub fan-out (built-in hub → ${fanOut.subscribers} local subscribers in another process, ` +
    `${fanOut.topics} topics each, signed ${(fanOut.bodyBytes / 1024).toFixed(1)} KiB Atom bodies)`,
)
console.table([
  {
    'subscriptions verified': fanOut.subscribers * fanOut.topics,
    'verify ms': Math.round(fanOut.verifyMs),
    deliveries: fanOut.deliveries,
    'deliveries /s': fanOut.deliveriesPerSecond.toLocaleString('en'),
    'bad signatures': fanOut.badSignatures,
  },
])

const importItems = Number(process.env.BENCH_IMPORT_ITEMS ?? 200_000)
const imported = await measureImport(importItems, OUT)
console.log(
  `\nImport (feedwright import's steps in a child process: a synthetic RSS 2.0 feed, fresh SQLite store)`,
)
console.table([
  {
    items: imported.items.toLocaleString('en'),
    'feed MiB': (imported.bytes / 1024 / 1024).toFixed(1),
    'check ms': imported.checkMs,
    'parse + map + store ms': imported.storeMs,
    'total s': ((imported.checkMs + imported.storeMs) / 1000).toFixed(1),
    'peak RSS MiB': imported.maxRssMiB,
    created: imported.created,
  },
])
