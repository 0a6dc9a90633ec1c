// A month is read once in a build: the rows read to cut it are the ones its parts are rendered
// from (no second read), unless the month is larger than the bytes a build keeps of it.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { cutMonth, planArchivePart } from '../../src/builder/documents.js'
import { readRows } from '../../src/builder/rows.js'
import { archivePath } from '../../src/feeds/paths.js'
import { openSqliteStore } from '../../src/store/sqlite.js'
import type { Store } from '../../src/store/store.js'
import { countingReads } from '../helpers/counting-store.js'
import { makeArticle, tempDir } from '../helpers/fixtures.js'

let dir: Awaited<ReturnType<typeof tempDir>>
let store: Store

beforeEach(async () => {
  dir = await tempDir()
  store = openSqliteStore(`${dir.path}/feedwright.db`)
  const day = (d: number) => `2026-10-${String(d).padStart(2, '0')}T10:00:00Z`
  const articles = Array.from({ length: 250 }, (_, i) =>
    makeArticle({ id: `a${i}`, title: `Story ${i}`, publishedAt: day(1 + (i % 28)) }),
  )
  await store.articles.upsertMany(articles)
})

afterEach(async () => {
  await store.close()
  await dir.cleanup()
})

const bounds = { items: 100, bytes: 2 * 1024 * 1024 }
const october = { kind: 'month' as const, slug: '2026-10' }

describe('reading a month once', () => {
  it('gives each part the articles a second read would give, and reads nothing more', async () => {
    const { summaries, articles } = await readRows(store.articles, october, 1024 * 1024)
    expect(articles).toHaveLength(250)
    const parts = cutMonth(summaries, bounds, articles)
    expect(parts.map((p) => p.rows.length)).toEqual([100, 100, 50])
    const { counted, reads } = countingReads(store.articles)
    for (const [k, part] of parts.entries()) {
      const again = await store.articles.newestFor(october, part.rows.length, part.after)
      const document = { path: archivePath('2026-10', k + 1), archive: true, links: [] }
      const { planned, rows } = planArchivePart(
        counted,
        { key: `archive:2026-10/${k + 1}`, document, deletions: [], source: 'digest' },
        '2026-10',
        part,
      )
      expect(rows).toBeUndefined()
      expect(planned.articles).toEqual(again)
      expect(planned.articles.map((a) => a.id)).toEqual(part.rows.map((r) => r.id).reverse())
    }
    expect(reads.newestFor).toBe(0)
  })

  it('keeps only the summaries of a month past the bytes kept, and its parts are read again as produced', async () => {
    const { summaries, articles } = await readRows(store.articles, october, 10_000)
    expect(summaries).toHaveLength(250)
    expect(articles).toBeUndefined()
    const parts = cutMonth(summaries, bounds, articles)
    expect(parts.every((p) => p.articles === undefined)).toBe(true)
    const { counted, reads } = countingReads(store.articles)
    const document = { path: archivePath('2026-10', 2), archive: true, links: [] }
    const { planned, rows } = planArchivePart(
      counted,
      { key: 'archive:2026-10/2', document, deletions: [], source: 'digest' },
      '2026-10',
      parts[1]!,
    )
    // Read as it is produced, not when planned: nothing holds the rows until their turn.
    expect(planned.articles).toEqual([])
    expect(reads.newestFor).toBe(0)
    const read = await rows!()
    expect(reads.newestFor).toBe(1)
    expect(read.map((a) => a.id)).toEqual(parts[1]!.rows.map((r) => r.id).reverse())
  })
})
