import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { type Builder, createBuilder } from '../../src/builder/builder.js'
import { RENDERERS } from '../../src/feeds/render/index.js'
import { createPublishedOutputs, type PublishedOutputs } from '../../src/publish/outputs.js'
import { openSqliteStore } from '../../src/store/sqlite.js'
import type { Store } from '../../src/store/store.js'
import { fixtureArticles, makeArticle, SITE, tempDir } from '../helpers/fixtures.js'

let dir: Awaited<ReturnType<typeof tempDir>>
let store: Store
let outputs: PublishedOutputs
let feedsDir: string

/** A builder whose builds are numbered 1, 2, … as the scheduler would number them. */
const builderWith = (renderers = RENDERERS) => {
  const builder: Builder = createBuilder({
    settings: { site: SITE, feedLimit: 5, feedsDir },
    dependencies: { store, outputs, renderers },
  })
  let id = 0
  return { build: (options: { full?: boolean } = {}) => builder.build({ id: ++id, ...options }) }
}

beforeEach(async () => {
  dir = await tempDir()
  store = openSqliteStore(join(dir.path, 'store.db'))
  await store.articles.upsertMany(await fixtureArticles())
  outputs = createPublishedOutputs()
  feedsDir = join(dir.path, 'feeds')
})
afterEach(async () => {
  await store.close()
  await dir.cleanup()
})

describe('builder', () => {
  it('builds every feed in three formats and writes files mirroring the URLs', async () => {
    const report = await builderWith().build()
    const feeds = 1 + (await store.articles.facets()).length
    // three formats and a page for people per feed, the HTML index page and the OPML list
    expect(report).toMatchObject({
      full: true,
      feeds,
      rendered: feeds * 4 + 2,
      published: feeds * 4 + 2,
      failures: [],
    })
    const index = Buffer.from(outputs.get('/')!.body).toString()
    expect(index).toContain('<link rel="alternate"')
    expect(index).toContain('href="https://news.example.org/feeds.opml"')
    const opml = Buffer.from(outputs.get('/feeds.opml')!.body).toString()
    expect(opml.match(/xmlUrl="/g)).toHaveLength(feeds)
    expect(opml).toContain('xmlUrl="https://news.example.org/feeds/categories/space/rss.xml"')
    expect(await readFile(join(feedsDir, 'feeds.opml'), 'utf8')).toBe(opml)
    const served = outputs.get('/feeds/categories/space/atom.xml')!
    expect(await readFile(join(feedsDir, 'categories/space/atom.xml'))).toEqual(
      Buffer.from(served.body),
    )
  })

  it('limits each feed to the newest FEED_LIMIT items', async () => {
    await builderWith().build()
    const json = JSON.parse(Buffer.from(outputs.get('/feeds/feed.json')!.body).toString())
    expect(json.items).toHaveLength(5)
  })

  it('renders only the feeds a change touched', async () => {
    const builder = builderWith()
    await builder.build()
    const before = outputs.get('/feeds/categories/climate/rss.xml')!.etag
    await store.articles.upsert(
      makeArticle({
        id: 'new-one',
        categories: ['Space'],
        tags: [],
        authors: [{ name: 'Li Wei' }],
      }),
    )
    const report = await builder.build()
    // site, category:space and author:li-wei (formats and page for people each), the index page
    // and the OPML list, which is unchanged: no feed came or went
    expect(report.rendered).toBe(14)
    expect(report.published).toBe(13)
    expect(outputs.get('/feeds/categories/climate/rss.xml')!.etag).toBe(before)
  })

  it('gives the same bytes and ETags when a full rebuild finds the same content', async () => {
    const builder = builderWith()
    await builder.build()
    const etags = outputs.list().map((o) => o.etag)
    const report = await builder.build({ full: true })
    expect(report.published).toBe(0)
    expect(report.unchanged).toBe(report.rendered)
    expect(outputs.list().map((o) => o.etag)).toEqual(etags)
  })

  it('moves a feed forward when an article is deleted', async () => {
    const builder = builderWith()
    await builder.build()
    const before = outputs.get('/feeds/categories/wildlife/atom.xml')!
    await store.articles.delete('giant-tortoise-reintroduced', new Date('2026-11-24T08:00:00Z'))
    await builder.build()
    const after = outputs.get('/feeds/categories/wildlife/atom.xml')!
    expect(after.etag).not.toBe(before.etag)
    expect(after.lastModified.toISOString()).toBe('2026-11-24T08:00:00.000Z')
    const atom = Buffer.from(after.body).toString()
    expect(atom).not.toMatch(/<id>[^<]*:articles\/giant-tortoise-reintroduced<\/id>/)
    // RFC 6721: the deletion is announced, so aggregators drop the entry
    expect(atom).toMatch(
      /<at:deleted-entry ref="tag:news\.example\.org,[\d-]{10}:articles\/giant-tortoise-reintroduced" when="2026-11-24T08:00:00\.000Z"\/>/,
    )
  })

  it('takes down the feeds of a category that no longer has articles', async () => {
    const builder = builderWith()
    await builder.build()
    await store.articles.upsert(
      makeArticle({
        id: 'lonely',
        categories: ['Lonely'],
        tags: [],
        authors: [{ name: 'Li Wei' }],
      }),
    )
    await builder.build()
    expect(outputs.get('/feeds/categories/lonely/rss.xml')).toBeDefined()
    await store.articles.delete('lonely', new Date('2026-11-24T00:00:00Z'))
    const report = await builder.build()
    expect(report.removed).toBe(4)
    expect(outputs.get('/feeds/categories/lonely/rss.xml')).toBeUndefined()
    expect(outputs.get('/feeds/categories/lonely/')).toBeUndefined()
    await expect(readFile(join(feedsDir, 'categories/lonely/rss.xml'))).rejects.toThrow(/ENOENT/)
  })

  it('never publishes a feed that fails its check, and keeps serving the last good one', async () => {
    let broken = false
    const builder = builderWith({
      ...RENDERERS,
      rss: (model) =>
        broken ? RENDERERS.rss(model).replace('</channel>', '') : RENDERERS.rss(model),
    })
    await builder.build()
    const good = outputs.get('/feeds/rss.xml')!
    broken = true
    await store.articles.upsert(makeArticle({ id: 'another' }))
    const report = await builder.build()
    expect(report.failures.map((f) => [f.feed, f.rule])).toContainEqual([
      '/feeds/rss.xml',
      'well-formed',
    ])
    expect(outputs.get('/feeds/rss.xml')).toBe(good)
    expect(await readFile(join(feedsDir, 'rss.xml'))).toEqual(Buffer.from(good.body))
    // the other formats of the same feed still moved on
    expect(Buffer.from(outputs.get('/feeds/atom.xml')!.body).toString()).toContain(
      ':articles/another',
    )
    broken = false
    const retry = await builder.build()
    expect(retry.failures).toEqual([])
    expect(outputs.get('/feeds/rss.xml')!.etag).not.toBe(good.etag)
  })

  it('reports a renderer that throws as a failure, not a crash', async () => {
    const report = await builderWith({
      ...RENDERERS,
      json: () => {
        throw new Error('boom')
      },
    }).build()
    expect(report.failures.filter((f) => f.rule === 'render')).toHaveLength(report.feeds)
    expect(outputs.get('/feeds/feed.json')).toBeUndefined()
    expect(outputs.get('/feeds/rss.xml')).toBeDefined()
  })
})
