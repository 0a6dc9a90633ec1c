import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Article } from '../../src/articles/schema.js'
import { createBuilder } from '../../src/build/builder.js'
import { salvage } from '../../src/build/quarantine.js'
import { createPublishedOutputs, type PublishedOutputs } from '../../src/publish/outputs.js'
import { openSqliteStore } from '../../src/store/sqlite.js'
import type { ArticleStore } from '../../src/store/store.js'
import { fixtureArticles, makeArticle, SITE, tempDir } from '../helpers/fixtures.js'

describe('salvage', () => {
  const fails = (bad: ReadonlySet<number>) => (items: readonly number[]) =>
    items.some((i) => bad.has(i))
      ? { problems: [{ rule: 'r', message: `bad ${items.filter((i) => bad.has(i)).join()}` }] }
      : { texts: items.join() }

  it('leaves out exactly the items that fail alone, keeping the order of the rest', () => {
    const saved = salvage([1, 2, 3, 4, 5], fails(new Set([2, 4])))
    expect(saved?.kept).toEqual([1, 3, 5])
    expect(saved?.left.map((l) => l.item)).toEqual([2, 4])
    expect(saved?.attempt).toEqual({ texts: '1,3,5' })
  })

  it('blames no item when the document fails without any', () => {
    expect(salvage([1, 2], () => ({ problems: [{ rule: 'feed-title', message: 'x' }] }))).toBe(
      undefined,
    )
  })

  it('blames no item when no single item fails, or when the rest still fails', () => {
    // Only the pair fails (say, two items with one id): no item alone is at fault.
    const pair = (items: readonly number[]) =>
      items.includes(1) && items.includes(2)
        ? { problems: [{ rule: 'unique-ids', message: 'x' }] }
        : { texts: '' }
    expect(salvage([1, 2, 3], pair)).toBeUndefined()
  })
})

let dir: Awaited<ReturnType<typeof tempDir>>
let store: ArticleStore
let outputs: PublishedOutputs

beforeEach(async () => {
  dir = await tempDir()
  store = openSqliteStore(join(dir.path, 'store.db'))
  await store.upsertMany(await fixtureArticles())
  outputs = createPublishedOutputs()
})
afterEach(async () => {
  await store.close()
  await dir.cleanup()
})

const served = (path: string): string => Buffer.from(outputs.get(path)!.body).toString()

describe('a stored item that makes its documents fail', () => {
  it('is left out of them and named in the report; the feeds move on and recover', async () => {
    const builder = createBuilder({
      store,
      site: SITE,
      // Room for every article: the year-10000 row sorts as the oldest ('+' before digits).
      feedLimit: 50,
      outputs,
      feedsDir: join(dir.path, 'feeds'),
    })
    // A row stored before dates were bounded: year 10000 cannot be written in any format.
    const legacy = {
      ...makeArticle({ id: 'from-year-10000', categories: ['Space'] }),
      publishedAt: '+010000-01-01T00:59:59.000Z',
      updatedAt: '+010000-01-01T00:59:59.000Z',
    } as Article
    await store.upsert(legacy)
    await store.upsert(makeArticle({ id: 'ordinary-news', publishedAt: '2026-11-28T10:00:00Z' }))

    const report = await builder.build({ id: 1 })
    expect(report.failures).toEqual([])
    const left = report.quarantined.filter((q) => q.feed === '/feeds/rss.xml')
    expect(left).toEqual([
      expect.objectContaining({ article: 'from-year-10000', rule: 'date-format' }),
    ])
    expect(report.quarantined.map((q) => q.feed)).toContain('/feeds/categories/space/rss.xml')
    expect(report.quarantinedTotal).toBe(report.quarantined.length)
    for (const file of ['rss.xml', 'atom.xml', 'feed.json']) {
      expect(served(`/feeds/${file}`)).toContain('/articles/ordinary-news')
      expect(served(`/feeds/${file}`)).not.toContain('/articles/from-year-10000')
    }
    // The page for people follows the published feed.
    expect(outputs.get('/feeds/')).toBeDefined()

    // Fixed by an edit: the item is back and nothing is quarantined any more.
    await store.upsert(makeArticle({ id: 'from-year-10000', publishedAt: '2026-11-27T10:00:00Z' }))
    const fixed = await builder.build({ id: 2 })
    expect(fixed.failures).toEqual([])
    expect(fixed.quarantined).toEqual([])
    expect(fixed.quarantinedTotal).toBe(0)
    expect(served('/feeds/atom.xml')).toContain('/articles/from-year-10000')
  })
})
