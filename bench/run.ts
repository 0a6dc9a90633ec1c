// `npm run bench`: store size vs build and query cost, and serving speed next to plain node:http.
// BENCH_SIZES=1000,100000 limits the store sizes (default 1k, 100k, 1M).
import { rm } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { createBuilder } from '../src/build/builder.js'
import type { BuildReport } from '../src/build/report.js'
import { createPublishedOutputs } from '../src/publish/outputs.js'
import { fileFor } from '../src/publish/files.js'
import { openSqliteStore } from '../src/store/sqlite.js'
import type { ArticleStore, Selection } from '../src/store/store.js'
import { type LoadFigure, measureServing } from './load.js'
import { CATEGORY_COUNT, syntheticArticle, syntheticBatches } from './synthetic.js'

const SITE = {
  title: 'Bench Science',
  description: 'Synthetic articles',
  url: 'https://news.example.org',
  language: 'en',
}
const FEED_LIMIT = 50
const OUT = resolve(import.meta.dirname, '.out')
const sizes = (process.env.BENCH_SIZES ?? '1000,100000,1000000').split(',').map(Number)

const ms = (since: bigint) => Number(process.hrtime.bigint() - since) / 1e6
const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)]!

const queryLatency = async (store: ArticleStore, selection: Selection): Promise<number> => {
  const samples: number[] = []
  for (let i = 0; i < 101; i += 1) {
    const started = process.hrtime.bigint()
    await store.newestFor(selection, FEED_LIMIT)
    samples.push(ms(started))
  }
  return median(samples)
}

interface SizeFigures {
  articles: number
  insertPerSecond: number
  siteQueryMs: number
  categoryQueryMs: number
  full: BuildReport
  oneChange: BuildReport
  rssMb: number
}

const benchSize = async (
  size: number,
): Promise<{ figures: SizeFigures; siteFeedFile: string; updated: Date }> => {
  const dir = join(OUT, `store-${size}`)
  await rm(dir, { recursive: true, force: true })
  const store = openSqliteStore(join(dir, 'store.db'))
  const insertStarted = process.hrtime.bigint()
  for (const batch of syntheticBatches(0, size)) await store.upsertMany(batch)
  const insertMs = ms(insertStarted)

  const outputs = createPublishedOutputs()
  const feedsDir = join(dir, 'feeds')
  const builder = createBuilder({ store, site: SITE, feedLimit: FEED_LIMIT, outputs, feedsDir })
  await builder.build({ id: 1, full: true }) // warm-up: JIT and page cache, as a running service has them
  const full = await builder.build({ id: 2, full: true })
  const changed = { ...syntheticArticle(size - 1), title: 'Changed title' }
  await store.upsert(changed)
  const oneChange = await builder.build({ id: 3 })

  const figures: SizeFigures = {
    articles: size,
    insertPerSecond: Math.round(size / (insertMs / 1000)),
    siteQueryMs: await queryLatency(store, { kind: 'site' }),
    categoryQueryMs: await queryLatency(store, { kind: 'category', slug: 'category-7' }),
    full,
    oneChange,
    rssMb: Math.round(process.memoryUsage().rss / 2 ** 20),
  }
  await store.close()
  const site = outputs.get('/feeds/rss.xml')!
  return { figures, siteFeedFile: fileFor(feedsDir, site.urlPath), updated: site.lastModified }
}

const fmt = (n: number, digits = 1) => n.toFixed(digits)

const printSizes = (rows: SizeFigures[]) => {
  console.log(
    `\nStore size vs cost (SQLite; site + ${CATEGORY_COUNT} categories + 1 author = 22 feeds × 3 formats, ${FEED_LIMIT} items each)`,
  )
  console.table(
    rows.map((r) => ({
      articles: r.articles.toLocaleString('en'),
      'insert /s': r.insertPerSecond.toLocaleString('en'),
      'newest 50 site ms': fmt(r.siteQueryMs, 3),
      'newest 50 category ms': fmt(r.categoryQueryMs, 3),
      'full rebuild ms': fmt(r.full.durationMs),
      'parse-back share': `${fmt((100 * r.full.timings.checkMs) / r.full.durationMs)} %`,
      'render ms': fmt(r.full.timings.renderMs),
      'check ms': fmt(r.full.timings.checkMs),
      'query ms': fmt(r.full.timings.queryMs),
      'write ms': fmt(r.full.timings.publishMs),
      'one-change rebuild ms': fmt(r.oneChange.durationMs),
      'outputs re-rendered': r.oneChange.rendered,
      failures: r.full.failures.length + r.oneChange.failures.length,
      'RSS MiB': r.rssMb,
    })),
  )
}

const printLoad = (figures: LoadFigure[]) => {
  console.log(
    '\nServing the site RSS feed (autocannon, 32 connections, 5 s, server in its own process)',
  )
  console.table(
    figures.map((f) => ({
      server: f.server,
      request: f.case,
      'req/s': f.requestsPerSecond.toLocaleString('en'),
      'p99 ms': f.p99Ms,
      'wrong status': f.wrongStatus,
    })),
  )
}

const rows: SizeFigures[] = []
let load: LoadFigure[] = []
for (const size of sizes) {
  process.stdout.write(`store of ${size.toLocaleString('en')} articles … `)
  const started = Date.now()
  const { figures, siteFeedFile, updated } = await benchSize(size)
  rows.push(figures)
  console.log(`done in ${((Date.now() - started) / 1000).toFixed(1)} s`)
  if (load.length === 0) load = await measureServing(siteFeedFile, '/feeds/rss.xml', updated)
  await rm(join(OUT, `store-${size}`), { recursive: true, force: true })
}
printSizes(rows)
printLoad(load)
