// Rewrites fixtures/import/expected/<feed>.json from what the import makes of each corpus feed today:
// `npx tsx test/helpers/import-expected.ts`. Run it when the mapping changes on purpose (e.g. slugs
// that keep Unicode letters), then read the diff: it is the corpus's expected articles and losses.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { decodeFeed } from '../../src/import/decode.js'
import { readForeignFeed } from '../../src/import/feed-entries.js'
import { mapFeed } from '../../src/import/import-feed.js'

/** The fixed import time the corpus test maps with (undated items of dateless feeds take it). */
const CORPUS_IMPORTED_AT = '2026-11-29T12:00:00.000Z'

const CORPUS = resolve(import.meta.dirname, '../../fixtures/import')
// Not a feed to import: it is the validator's example of every broken rule.
const NOT_IN_CORPUS = new Set(['broken-rss.xml'])

for (const name of readdirSync(CORPUS).filter(
  (n) => /\.(xml|json)$/.test(n) && !NOT_IN_CORPUS.has(n),
)) {
  const decoded = decodeFeed(readFileSync(join(CORPUS, name)))
  const feed = readForeignFeed(decoded.text)
  const mapped = mapFeed(feed, CORPUS_IMPORTED_AT)
  const counts = (findings: Array<{ kind: string; count: number }>) =>
    findings.map(({ kind, count }) => ({ kind, count }))
  const expected = {
    version: feed.version,
    encoding: decoded.encoding,
    items: feed.size,
    imported: mapped.articles.length,
    skipped: counts(mapped.skipped),
    lost: counts(mapped.lost),
    notes: counts(mapped.notes),
    articles: mapped.articles,
  }
  writeFileSync(
    join(CORPUS, 'expected', name.replace(/\.(xml|json)$/, '.json')),
    `${JSON.stringify(expected, null, 2)}\n`,
  )
}
