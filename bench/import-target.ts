// Runs one import in its own process and prints its phases and peak memory as JSON, so that
// `npm run bench` measures the import alone: `tsx bench/import-target.ts <feed-file> <store-file>`.
import { readFile } from 'node:fs/promises'
import { decodeFeed } from '../src/import/decode.js'
import { readForeignFeed } from '../src/import/feed-entries.js'
import { importFeed } from '../src/import/import-feed.js'
import { openSqliteStore } from '../src/store/sqlite.js'

const [feedFile, storeFile] = process.argv.slice(2)
const ms = (since: bigint) => Math.round(Number(process.hrtime.bigint() - since) / 1e6)
let t = process.hrtime.bigint()
let size = 0
const text = await readFile(feedFile!).then((bytes) => {
  size = bytes.byteLength
  return decodeFeed(bytes).text
})
const decodeMs = ms(t)
t = process.hrtime.bigint()
const feed = readForeignFeed(text)
const parseMs = ms(t)
t = process.hrtime.bigint()
const store = openSqliteStore(storeFile!)
const report = await importFeed(store.articles, feed)
const storeMs = ms(t)
await store.close()
console.log(
  JSON.stringify({
    bytes: size,
    items: report.entries,
    created: report.created,
    skipped: report.skipped.length,
    decodeMs,
    parseMs,
    storeMs,
    maxRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
  }),
)
