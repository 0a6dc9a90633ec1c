// Runs one import in its own process, as `feedwright import` does it, and prints its phases and
// peak memory as JSON, so that `npm run bench` measures the import alone:
// `tsx bench/import-target.ts <feed-file> <store-file>`.
import { statSync } from 'node:fs'
import { openForeignFeed } from '../src/import/feed-entries.js'
import { importFeed } from '../src/import/import-feed.js'
import { fileSource } from '../src/import/source.js'
import { openSqliteStore } from '../src/store/sqlite.js'

const [feedFile, storeFile] = process.argv.slice(2)
const ms = (since: bigint) => Math.round(Number(process.hrtime.bigint() - since) / 1e6)
let t = process.hrtime.bigint()
// The first reading: decoded and checked whole, envelope parsed, records counted.
const { feed } = openForeignFeed(fileSource(feedFile!))
const checkMs = ms(t)
t = process.hrtime.bigint()
const store = openSqliteStore(storeFile!)
// The second reading: each record parsed, mapped and stored in batches.
const report = await importFeed(store.articles, feed)
const storeMs = ms(t)
await store.close()
console.log(
  JSON.stringify({
    bytes: statSync(feedFile!).size,
    items: report.entries,
    created: report.created,
    skipped: report.skipped.length,
    checkMs,
    storeMs,
    maxRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
  }),
)
