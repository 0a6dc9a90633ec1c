// A feed's pages of long reads are planned from summaries and read again as each is produced, so
// the serving thread does not hold every page's rows while the feed's documents are in flight; a
// feed of ordinary articles is read once. Rows read late that are not the ones planned (a write in
// between) leave the document without a source, so it is not recorded as rendered from them.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { FEED_KEPT_BYTES, planPages } from '../../src/builder/documents.js'
import { readRows } from '../../src/builder/rows.js'
import type { FeedDefinition } from '../../src/feeds/catalog.js'
import { openSqliteStore } from '../../src/store/sqlite.js'
import type { Store } from '../../src/store/store.js'
import { countingReads } from '../helpers/counting-store.js'
import { LONG_READ_HTML, story, tempDir } from '../helpers/fixtures.js'

let dir: Awaited<ReturnType<typeof tempDir>>
let store: Store

const SITE_FEED: FeedDefinition = {
  key: 'site',
  path: '',
  selection: { kind: 'site' },
  watches: ['site'],
  title: 'Site',
  description: 'Every article',
}
// 12 items, 3 a document, 4 documents: the subscription document (12-10) and pages 3 (9-7),
// 2 (6-4) and 1 (3-1).
const PAGES = { pageSize: 3, maxPages: 4, count: 12 }
const EXPECTED = [
  [12, 11, 10],
  [9, 8, 7],
  [6, 5, 4],
  [3, 2, 1],
].map((ns) => ns.map((n) => `story-${n}`))

const seed = (overrides: Record<string, unknown> = {}) =>
  store.articles.upsertMany(Array.from({ length: 12 }, (_, i) => story(i + 1, overrides)))

beforeEach(async () => {
  dir = await tempDir()
  store = openSqliteStore(`${dir.path}/store.db`)
})

afterEach(async () => {
  await store.close()
  await dir.cleanup()
})

describe("a feed's rows", () => {
  it('of ordinary articles are read once, and each document holds its own', async () => {
    await seed()
    const { counted, reads } = countingReads(store.articles)
    const documents = await planPages(counted, SITE_FEED, PAGES)
    const readsPlanning = reads.newestFor
    expect(documents.map((d) => d.rows)).toEqual([undefined, undefined, undefined, undefined])
    expect(documents.map((d) => d.planned.articles.map((a) => a.id))).toEqual(EXPECTED)
    expect(reads.newestFor).toBe(readsPlanning)
  })

  it('of long reads are summarised, and each document reads its own as it is produced', async () => {
    await seed({ contentHtml: LONG_READ_HTML })
    // Twelve weigh more than a feed keeps (12 x 120 KB against 1 MiB).
    expect(12 * LONG_READ_HTML.length).toBeGreaterThan(FEED_KEPT_BYTES)
    const { counted, reads } = countingReads(store.articles)
    const documents = await planPages(counted, SITE_FEED, PAGES)
    const readsPlanning = reads.newestFor
    expect(documents.map((d) => d.planned.articles)).toEqual([[], [], [], []])
    expect(documents.map((d) => d.planned.bytes > 3 * LONG_READ_HTML.length)).toEqual([
      true,
      true,
      true,
      true,
    ])
    const read = await Promise.all(documents.map((d) => d.rows!()))
    expect(read.map((articles) => articles.map((a) => a.id))).toEqual(EXPECTED)
    expect(reads.newestFor).toBe(readsPlanning + 4)
    // Read as planned: each keeps the source the pipeline records once it is published.
    expect(documents.every((d) => d.planned.source !== undefined)).toBe(true)
  })

  it('of long reads are read a few at a time, so that few are in hand at once', async () => {
    // 130 articles of ~20 KB: after a first batch of 100, batches of ~512 KB (about 25 rows).
    const body = '<p>A long read.</p>'.repeat(20_000 / 18)
    const day = (n: number) => `2026-10-${String(1 + (n % 28)).padStart(2, '0')}T10:00:00Z`
    await store.articles.upsertMany(
      Array.from({ length: 130 }, (_, n) => story(n, { contentHtml: body, publishedAt: day(n) })),
    )
    const { counted, reads } = countingReads(store.articles)
    const { summaries, articles } = await readRows(counted, { kind: 'site' }, 0)
    expect(summaries).toHaveLength(130)
    expect(articles).toBeUndefined()
    const [first, ...rest] = reads.limits
    expect(first).toBe(100)
    expect(rest).toHaveLength(2)
    expect(rest[0]).toBe(rest[1])
    expect(rest[0]).toBeGreaterThanOrEqual(20)
    expect(rest[0]).toBeLessThanOrEqual(26)
  })

  it('read late after an edit or a deletion leave only the documents they changed without a source', async () => {
    await seed({ contentHtml: LONG_READ_HTML })
    const documents = await planPages(store.articles, SITE_FEED, PAGES)
    const sources = documents.map((d) => d.planned.source)
    // An edit that keeps every id in place (story 8, page 3), and a deletion that moves page 2's
    // rows (6, 4, 3 read where 6, 5, 4 were planned).
    await store.articles.upsert(
      story(8, { contentHtml: LONG_READ_HTML, title: 'Story 8, corrected' }),
    )
    await store.articles.delete('story-5', new Date('2026-10-20T00:00:00Z'))
    const read = await Promise.all(documents.map((d) => d.rows!()))
    expect(read[1]!.find((a) => a.id === 'story-8')?.title).toBe('Story 8, corrected')
    expect(read[2]!.map((a) => a.id)).toEqual(['story-6', 'story-4', 'story-3'])
    expect(documents.map((d) => d.planned.source)).toEqual([
      sources[0],
      undefined,
      undefined,
      sources[3],
    ])
  })
})
