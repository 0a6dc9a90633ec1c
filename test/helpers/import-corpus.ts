// The import corpus (fixtures/import): its feeds read and mapped as the corpus test and the
// rewriting of its expected files (import-expected.ts) both do.
import { readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { decodeFeed } from '../../src/import/decode.js'
import { readForeignFeed } from '../../src/import/feed-entries.js'
import { mapFeed } from '../../src/import/import-feed.js'

export const CORPUS = resolve(import.meta.dirname, '../../fixtures/import')

/** The fixed import time the corpus is mapped with (undated items of dateless feeds take it). */
export const CORPUS_IMPORTED_AT = '2026-11-29T12:00:00.000Z'

/** A corpus feed's bytes decoded and read as a foreign feed. */
export const readCorpusFeed = (file: string) => {
  const decoded = decodeFeed(readFileSync(join(CORPUS, file)))
  return { decoded, feed: readForeignFeed(decoded.text) }
}

/** Findings by kind and count only: their examples change with the wording, not the mapping. */
export const counts = (findings: Array<{ kind: string; count: number }>) =>
  findings.map(({ kind, count }) => ({ kind, count }))

/** What the import makes of a corpus feed: the record fixtures/import/expected/ keeps per feed. */
export const mapCorpusFeed = (file: string) => {
  const { decoded, feed } = readCorpusFeed(file)
  const mapped = mapFeed(feed, CORPUS_IMPORTED_AT)
  return {
    version: feed.version,
    encoding: decoded.encoding,
    items: feed.size,
    imported: mapped.articles.length,
    skipped: counts(mapped.skipped),
    lost: counts(mapped.lost),
    notes: counts(mapped.notes),
    articles: mapped.articles,
  }
}
