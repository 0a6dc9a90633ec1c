// Stable RFC 5005 pages, cut from each feed's oldest end: a change re-renders only the documents
// whose rows, links or tombstones changed, counted from the build report; the bytes are those a
// build from nothing gives. Stable pages are on the shelf, the subscription documents in memory.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createBuilder } from '../../src/builder/builder.js'
import { FEED_KEPT_BYTES, stableRange } from '../../src/builder/documents.js'
import { FORMAT_NAMES } from '../../src/feeds/formats.js'
import { ARCHIVE_ROOT, feedUrlPath, stablePagePath } from '../../src/feeds/paths.js'
import { createPublishedOutputs, type PublishedOutputs } from '../../src/publish/outputs.js'
import { openShelf, type Shelf } from '../../src/publish/shelf.js'
import { openSqliteStore } from '../../src/store/sqlite.js'
import type { Store } from '../../src/store/store.js'
import { LONG_READ_HTML, SITE, story, tempDir } from '../helpers/fixtures.js'

// Every article is in the site feed, category Space, tag Testing and author Test Author: 4 feeds
// with the same items. 3 items a document, 4 documents a feed: 3 stable pages at most.
const FEEDS = ['', 'categories/space', 'tags/testing', 'authors/test-author']
// A document's outputs: its three formats and its page for people.
const PER_DOCUMENT = FORMAT_NAMES.length + 1
// The index page and the OPML list, made again whenever a feed changed.
const SITE_PAGES = 2

let dir: Awaited<ReturnType<typeof tempDir>>
let store: Store
let nextId = 0
// The articles' body: ordinary, or long reads whose feeds weigh more than a build keeps of their
// rows (10 rows read a feed: 10 x 120 KB against 1 MiB), so that each page is read again as it is
// produced (documents.ts FEED_KEPT_BYTES).
let body: Record<string, unknown> = {}
const LONG_READ = { contentHtml: LONG_READ_HTML }

const article = (n: number, overrides: Record<string, unknown> = {}) =>
  story(n, { ...body, ...overrides })

/** A service start: empty memory, the shelf (archives, stable pages) read back from disk. */
const start = async (feedsDir = `${dir.path}/feeds`) => {
  const outputs = createPublishedOutputs()
  const shelf = await openShelf(feedsDir)
  const builder = createBuilder({
    settings: { site: SITE, feedLimit: 3, feedPages: 4, feedsDir },
    dependencies: { store, outputs, shelf },
  })
  return { outputs, shelf, build: (full = false) => builder.build({ id: ++nextId, full }) }
}

interface Served {
  outputs: PublishedOutputs
  shelf: Shelf
}
/** What feeds serve (the archive's months aside), in memory and on the shelf. */
const servedNow = ({ outputs, shelf }: Served) =>
  [...outputs.list(), ...shelf.list()].filter((o) => !o.urlPath.startsWith(ARCHIVE_ROOT))

/** The versions served now, by URL path: a path whose object changed was published again. */
const snapshot = (served: Served) => new Map(servedNow(served).map((o) => [o.urlPath, o]))
const changedPaths = (before: ReturnType<typeof snapshot>, served: Served) =>
  servedNow(served)
    .filter((o) => before.get(o.urlPath) !== o && o.format === 'atom')
    .map((o) => o.urlPath)
    .sort()
const atomOf = (documentPaths: string[]) => documentPaths.map((p) => feedUrlPath(p, 'atom')).sort()
const inEveryFeed = (path: (feed: string) => string) => FEEDS.map(path)

beforeEach(async () => {
  dir = await tempDir()
  store = openSqliteStore(`${dir.path}/store.db`)
})

afterEach(async () => {
  await store.close()
  await dir.cleanup()
})

describe('which stable pages a feed keeps', () => {
  it('keeps the newest full blocks counted from the oldest item, and none below one block', () => {
    expect(stableRange(10, 3, 4)).toEqual({ oldest: 1, newest: 3 })
    // Block 4 (items 10-12) is all in the subscription document: a page once item 13 comes.
    expect(stableRange(12, 3, 4)).toEqual({ oldest: 1, newest: 3 })
    expect(stableRange(13, 3, 4)).toEqual({ oldest: 2, newest: 4 })
    expect(stableRange(3, 3, 4)).toBeUndefined()
    expect(stableRange(100, 3, 1)).toBeUndefined()
  })
})

describe.each([
  ['of ordinary articles', {}],
  ['of long reads, each page read as it is produced', LONG_READ],
])('a build after one change, feeds %s', (_, articleBody) => {
  beforeEach(async () => {
    body = articleBody
    await store.articles.upsertMany(Array.from({ length: 10 }, (_, i) => article(i + 1)))
    if (body === LONG_READ)
      expect(10 * LONG_READ.contentHtml.length).toBeGreaterThan(FEED_KEPT_BYTES)
  })

  it('re-renders only the subscription documents, the month and the site pages for a new article', async () => {
    const served = await start()
    const { build } = served
    await build()
    const before = snapshot(served)
    await store.articles.upsert(article(11))
    const report = await build()
    // 11 items: three full pages (1-3, 4-6, 7-9) unchanged; the newest two only in page 1.
    expect(report.failures).toEqual([])
    expect(report.archiveMonths).toBe(1)
    expect(report.rendered).toBe((FEEDS.length + 1) * PER_DOCUMENT + SITE_PAGES)
    expect(changedPaths(before, served)).toEqual(atomOf([...FEEDS]))
  })

  it('cuts a new page when a block fills, re-linking its neighbour and dropping the oldest', async () => {
    const served = await start()
    const { outputs, build } = served
    await store.articles.upsertMany([article(11), article(12)])
    await build()
    const before = snapshot(served)
    await store.articles.upsert(article(13))
    const report = await build()
    // 13 items: page 4 (10-12) is new, page 3 links `previous` to it, page 2 becomes the oldest
    // kept (no `next`), page 1 goes; page 1 of each feed links `next` to page 4.
    const pages = (n: number) => inEveryFeed((f) => stablePagePath(f, n))
    expect(report.rendered).toBe((FEEDS.length * 4 + 1) * PER_DOCUMENT + SITE_PAGES)
    expect(changedPaths(before, served)).toEqual(
      atomOf([...FEEDS, ...pages(4), ...pages(3), ...pages(2)]),
    )
    for (const path of pages(1)) {
      expect(outputs.get(feedUrlPath(path, 'atom'))).toBeUndefined()
      expect(served.shelf.get(feedUrlPath(path, 'atom'))).toBeUndefined()
    }
    expect(report.removed).toBe(FEEDS.length * PER_DOCUMENT)
  })

  it('re-renders only the page holding an old article that was edited', async () => {
    const served = await start()
    const { build } = served
    await build()
    const before = snapshot(served)
    await store.articles.upsert(article(5, { title: 'Story 5, corrected' }))
    const report = await build()
    // Items 4-6 are page 2 of each feed; the month's archive holds it too.
    expect(report.rendered).toBe((FEEDS.length + 1) * PER_DOCUMENT + SITE_PAGES)
    expect(changedPaths(before, served)).toEqual(atomOf(inEveryFeed((f) => stablePagePath(f, 2))))
  })

  it('re-cuts the pages from a deleted article on, and the subscription documents get its tombstone', async () => {
    const served = await start()
    const { outputs, build } = served
    await build()
    const before = snapshot(served)
    await store.articles.delete('story-5', new Date('2026-10-20T00:00:00Z'))
    const report = await build()
    // 9 items: page 1 (1-3) stays, page 2 now holds 4, 6, 7; page 3 (8-10) is all in the
    // subscription document now, and goes.
    const pages = (n: number) => inEveryFeed((f) => stablePagePath(f, n))
    expect(report.rendered).toBe((FEEDS.length * 2 + 1) * PER_DOCUMENT + SITE_PAGES)
    expect(changedPaths(before, served)).toEqual(atomOf([...FEEDS, ...pages(2)]))
    expect(report.removed).toBe(FEEDS.length * PER_DOCUMENT)
    const subscription = new TextDecoder().decode(outputs.get('/feeds/atom.xml')!.body)
    expect(subscription).toContain('story-5')
  })

  it('gives the bytes a build from nothing gives, after new articles, edits and deletions', async () => {
    const served = await start()
    const { build } = served
    await build()
    for (const change of [
      () => store.articles.upsert(article(11)),
      () => store.articles.upsert(article(12)),
      () => store.articles.upsert(article(2, { summary: 'Changed.' })),
      () => store.articles.delete('story-7', new Date('2026-10-20T00:00:00Z')),
      () => store.articles.upsert(article(13)),
    ]) {
      await change()
      expect((await build()).failures).toEqual([])
    }
    const fresh = await start(`${dir.path}/fresh`)
    await fresh.build(true)
    const bodies = async ({ outputs: o, shelf }: Served) => {
      const feeds = servedNow({ outputs: o, shelf }).filter(
        (x) => x.format !== 'html' && x.format !== 'opml',
      )
      const texts = await Promise.all(
        feeds.map(async (x): Promise<[string, string]> => [
          x.urlPath,
          new TextDecoder().decode(o.get(x.urlPath)?.body ?? (await shelf.read(x, 'identity'))),
        ]),
      )
      return Object.fromEntries(texts)
    }
    expect(Object.keys(await bodies(served)).some((p) => p.includes('/stable/'))).toBe(true)
    expect(await bodies(served)).toEqual(await bodies(fresh))
  })
})
