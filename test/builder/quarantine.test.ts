import { join } from 'node:path'
import fc from 'fast-check'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { type Article, parseArticle } from '../../src/articles/schema.js'
import { createBuilder } from '../../src/builder/builder.js'
import { createPublisher } from '../../src/builder/publisher.js'
import { salvage } from '../../src/builder/quarantine.js'
import { newTally } from '../../src/builder/report.js'
import { produceDocument } from '../../src/builder/produce.js'
import { buildCatalog } from '../../src/feeds/catalog.js'
import { RENDERERS } from '../../src/feeds/render/index.js'
import { createPublishedOutputs, type PublishedOutputs } from '../../src/publish/outputs.js'
import { openSqliteStore } from '../../src/store/sqlite.js'
import type { Store } from '../../src/store/store.js'
import { articleInput, propertyRuns } from '../helpers/arbitraries.js'
import { fixtureArticles, IDS, makeArticle, SITE, tempDir } from '../helpers/fixtures.js'

describe('salvage', () => {
  const fails = (bad: ReadonlySet<number>) => (items: readonly number[]) =>
    items.some((i) => bad.has(i))
      ? { problems: [{ rule: 'r', message: `bad ${items.filter((i) => bad.has(i)).join()}` }] }
      : { texts: items.join() }

  it('leaves out exactly the items that fail alone, keeping the order of the rest', async () => {
    const saved = await salvage([1, 2, 3, 4, 5], fails(new Set([2, 4])))
    expect(saved?.kept).toEqual([1, 3, 5])
    expect(saved?.left.map((l) => l.item)).toEqual([2, 4])
    expect(saved?.attempt).toEqual({ texts: '1,3,5' })
  })

  it('blames no item when the document fails without any', async () => {
    expect(
      await salvage([1, 2], () => ({ problems: [{ rule: 'feed-title', message: 'x' }] })),
    ).toBe(undefined)
  })

  it('blames no item when no single item fails, or when the rest still fails', async () => {
    // Only the pair fails (say, two items with one id): no item alone is at fault.
    const pair = (items: readonly number[]) =>
      items.includes(1) && items.includes(2)
        ? { problems: [{ rule: 'unique-ids', message: 'x' }] }
        : { texts: '' }
    expect(await salvage([1, 2, 3], pair)).toBeUndefined()
    // Item 4 fails alone, but without it 1 and 2 still fail together: nothing is published.
    const both = (items: readonly number[]) =>
      items.includes(4) ? { problems: [{ rule: 'r', message: '4' }] } : pair(items)
    expect(await salvage([1, 2, 3, 4], both)).toBeUndefined()
  })
})

let dir: Awaited<ReturnType<typeof tempDir>>
let store: Store
let outputs: PublishedOutputs

beforeEach(async () => {
  dir = await tempDir()
  store = openSqliteStore(join(dir.path, 'store.db'))
  await store.articles.upsertMany(await fixtureArticles())
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
      // Room for every article: the year-10000 row sorts as the oldest ('+' before digits).
      settings: { site: SITE, feedLimit: 50, feedsDir: join(dir.path, 'feeds') },
      dependencies: { store, outputs },
    })
    // A row stored before dates were bounded: year 10000 cannot be written in any format.
    const legacy = {
      ...makeArticle({ id: 'from-year-10000', categories: ['Space'] }),
      publishedAt: '+010000-01-01T00:59:59.000Z',
      updatedAt: '+010000-01-01T00:59:59.000Z',
    } as Article
    await store.articles.upsert(legacy)
    await store.articles.upsert(
      makeArticle({ id: 'ordinary-news', publishedAt: '2026-11-28T10:00:00Z' }),
    )

    const report = await builder.build({ id: 1 })
    expect(report.failures).toEqual([])
    const left = report.quarantined.filter((q) => q.feed === '/feeds/rss.xml')
    expect(left).toEqual([
      expect.objectContaining({ article: 'from-year-10000', rule: 'date-format' }),
    ])
    expect(report.quarantined.map((q) => q.feed)).toContain('/feeds/categories/space/rss.xml')
    expect(report.quarantinedTotal).toBe(report.quarantined.length)
    for (const file of ['rss.xml', 'atom.xml', 'feed.json']) {
      expect(served(`/feeds/${file}`)).toContain('articles/ordinary-news')
      expect(served(`/feeds/${file}`)).not.toContain('articles/from-year-10000')
    }
    // The page for people follows the published feed.
    expect(outputs.get('/feeds/')).toBeDefined()

    // Fixed by an edit: the item is back and nothing is quarantined any more.
    await store.articles.upsert(
      makeArticle({ id: 'from-year-10000', publishedAt: '2026-11-27T10:00:00Z' }),
    )
    const fixed = await builder.build({ id: 2 })
    expect(fixed.failures).toEqual([])
    expect(fixed.quarantined).toEqual([])
    expect(fixed.quarantinedTotal).toBe(0)
    expect(served('/feeds/atom.xml')).toContain('articles/from-year-10000')
  })
})

// What rows written before today's validation (or by another writer of a shared database) can
// hold, each making every document that carries it fail its check.
const CORRUPTIONS: ReadonlyArray<(a: Article) => Article> = [
  (a) => ({
    ...a,
    publishedAt: '+010000-01-01T00:59:59.000Z',
    updatedAt: '+010000-01-01T00:59:59.000Z',
  }),
  (a) => ({ ...a, title: `${a.title}\u0001` }),
  // `feed` escapes only the first `]]>` of a CDATA section.
  (a) => ({ ...a, contentHtml: `<p>a]]>b]]>c</p>` }),
  (a) => ({ ...a, image: { url: 'ftp://example.org/a.jpg', type: 'image/jpeg', length: 1 } }),
  (a) => ({ ...a, enclosures: [{ url: 'https://example.org/a', type: 'no type', length: 1 }] }),
]

const validArticle = articleInput
  .map((input) => {
    try {
      return parseArticle(input)
    } catch {
      return undefined
    }
  })
  .filter((a): a is Article => a !== undefined)

describe('one bad item never freezes a feed', () => {
  it('publishes every document without the item that fails, and names it', async () => {
    const feedsDir = join(dir.path, 'property-feeds')
    const [siteFeed] = buildCatalog(SITE, [])
    await fc.assert(
      fc.asyncProperty(
        fc.array(validArticle, { maxLength: 6 }),
        validArticle,
        fc.constantFrom(...CORRUPTIONS),
        fc.nat(),
        async (goods, victim, corrupt, at) => {
          const good = goods.map((a, i) => ({ ...a, id: `good-${i}` }))
          const bad = corrupt({ ...victim, id: 'bad-item' })
          const articles = [...good]
          articles.splice(at % (good.length + 1), 0, bad)
          const published = createPublishedOutputs()
          const { publishDocument } = createPublisher({
            outputs: published,
            feedsDir,
            clock: () => new Date('2026-11-29T00:00:00Z'),
          })
          const tally = newTally()
          const document = { path: '', links: [], archive: false }
          const planned = { key: 'site', document, articles, deletions: [], bytes: 0 }
          const produced = await produceDocument({
            modelBase: { site: SITE },
            ids: IDS,
            definition: siteFeed!,
            planned,
            renderers: RENDERERS,
          })
          expect(await publishDocument(produced, tally)).toBe(true)
          expect(tally.failures).toEqual([])
          expect(tally.quarantined.map((q) => q.article)).toEqual(['bad-item'])
          for (const file of ['rss.xml', 'atom.xml', 'feed.json']) {
            const body = Buffer.from(published.get(`/feeds/${file}`)!.body).toString()
            expect(body).not.toContain('articles/bad-item')
            for (const a of good) expect(body).toContain(`articles/${a.id}`)
          }
        },
      ),
      propertyRuns(40),
    )
  })
})
