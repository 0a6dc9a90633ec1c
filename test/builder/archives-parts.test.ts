// Archive months cut into bounded parts: cut from the oldest end, chained by RFC 5005 links, and
// rendered again only where a change lands, also across restarts.
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createBuilder } from '../../src/builder/builder.js'
import { cutMonth } from '../../src/builder/documents.js'
import type { RowSummary } from '../../src/builder/rows.js'
import { archivePath, feedUrlPath, fileOf } from '../../src/feeds/paths.js'
import { createPublishedOutputs } from '../../src/publish/outputs.js'
import { openShelf } from '../../src/publish/shelf.js'
import { openSqliteStore } from '../../src/store/sqlite.js'
import type { Store } from '../../src/store/store.js'
import { makeArticle, SITE, tempDir } from '../helpers/fixtures.js'

const row = (i: number, bytes = 10): RowSummary => ({
  id: `a${i}`,
  publishedAt: `2026-10-${String(i + 1).padStart(2, '0')}T00:00:00.000Z`,
  bytes,
  version: `v${i}`,
})
/** Rows as the store reads them: newest first. */
const newestFirst = (rows: RowSummary[]): RowSummary[] => [...rows].reverse()
const ids = (parts: ReturnType<typeof cutMonth>) => parts.map((p) => p.rows.map((r) => r.id))

describe('cutting a month', () => {
  it('cuts parts of at most N items from the oldest end, the last one partly filled', () => {
    const rows = Array.from({ length: 7 }, (_, i) => row(i))
    const parts = cutMonth(newestFirst(rows), { items: 3, bytes: 1_000 })
    expect(ids(parts)).toEqual([['a0', 'a1', 'a2'], ['a3', 'a4', 'a5'], ['a6']])
    // Each part is read newest first strictly after the newest article of the next part.
    expect(parts.map((p) => p.after?.id)).toEqual(['a3', 'a6', undefined])
  })

  it('cuts at M estimated bytes too, and gives an article larger than M a part of its own', () => {
    const rows = [row(0, 40), row(1, 40), row(2, 40), row(3, 500), row(4, 10)]
    const parts = cutMonth(newestFirst(rows), { items: 100, bytes: 100 })
    expect(ids(parts)).toEqual([['a0', 'a1'], ['a2'], ['a3'], ['a4']])
  })

  it('leaves the full parts as they were when a newer article comes', () => {
    const rows = Array.from({ length: 7 }, (_, i) => row(i))
    const before = cutMonth(newestFirst(rows), { items: 3, bytes: 1_000 })
    const after = cutMonth(newestFirst([...rows, row(7)]), { items: 3, bytes: 1_000 })
    expect(ids(after).slice(0, 2)).toEqual(ids(before).slice(0, 2))
    expect(ids(after)[2]).toEqual(['a6', 'a7'])
  })
})

let dir: Awaited<ReturnType<typeof tempDir>>
let store: Store
let feedsDir: string
let nextId = 0
const builders: Array<{ close(): Promise<void> }> = []

/** A service start: a new process with empty memory and the shelf read back from disk. */
const start = async (items = 3, buildThreads = 0) => {
  const shelf = await openShelf(feedsDir)
  const builder = createBuilder({
    settings: {
      site: SITE,
      feedLimit: 5,
      feedsDir,
      archiveBounds: { items, bytes: 8_000_000 },
      buildThreads,
    },
    dependencies: { store, outputs: createPublishedOutputs(), shelf },
  })
  builders.push(builder)
  return { shelf, build: (full = false) => builder.build({ id: ++nextId, full }) }
}

const article = (month: string, day: number) =>
  makeArticle({
    id: `${month}-${day}`,
    title: `Story of ${month}-${day}`,
    publishedAt: `${month}-${String(day).padStart(2, '0')}T10:00:00Z`,
    tags: [],
    categories: [],
  })

const atomOf = (documentPath: string) =>
  readFile(join(feedsDir, fileOf(feedUrlPath(documentPath, 'atom'))), 'utf8')

const HREF =
  /<link rel="(prev-archive|next-archive)" href="https:\/\/[^/]+\/feeds\/(.*?)\/?atom\.xml"\/>/g
const linksOf = (atom: string): Record<string, string> =>
  Object.fromEntries([...atom.matchAll(HREF)].map((m) => [m[1]!, m[2]!.replace(/\/$/, '')]))
const entries = (atom: string): number => atom.split('<entry>').length - 1

/** Walks the archive from the site feed's prev-archive to the oldest part; checks every link. */
const walkArchive = async (): Promise<Array<{ path: string; entries: number }>> => {
  const site = linksOf(await atomOf(''))
  const walked: Array<{ path: string; entries: number }> = []
  let path: string | undefined = site['prev-archive']
  let newer: string | undefined
  while (path) {
    const atom = await atomOf(path)
    const links = linksOf(atom)
    // Each document names, as its next-archive, the one the walk came from (RFC 5005 §4).
    expect(links['next-archive'], path).toBe(newer)
    walked.unshift({ path, entries: entries(atom) })
    newer = path
    path = links['prev-archive']
  }
  return walked
}

beforeEach(async () => {
  dir = await tempDir()
  feedsDir = join(dir.path, 'feeds')
  store = openSqliteStore(join(dir.path, 'store.db'))
  await store.articles.upsertMany([
    ...[1, 2, 3, 4, 5, 6, 7].map((d) => article('2026-10', d)),
    ...[1, 2].map((d) => article('2026-11', d)),
  ])
})
afterEach(async () => {
  await Promise.all(builders.splice(0).map((b) => b.close()))
  await store.close()
  await dir.cleanup()
})

describe('archive months in parts', () => {
  it('chains every part of every month, none over the bound, the first at the month URL', async () => {
    const report = await (await start()).build()
    expect(report.archiveMonths).toBe(4)
    expect(await walkArchive()).toEqual([
      { path: 'archive/2026/10', entries: 3 },
      { path: 'archive/2026/10/2', entries: 3 },
      { path: 'archive/2026/10/3', entries: 1 },
      { path: 'archive/2026/11', entries: 2 },
    ])
    // The oldest articles are in the month's first part, at the URL the month always had.
    expect(await atomOf(archivePath('2026-10'))).toContain('Story of 2026-10-1]')
    expect(await atomOf(archivePath('2026-10', 3))).toContain('Story of 2026-10-7]')
  })

  it.each([
    ['in-process', 0],
    // Several parts in flight at once: a part's digest is recorded once it is published, not
    // when the next is asked for (then putting it dropped the digest, and every part was redone).
    ['on a build thread', 1],
  ])(
    'renders only the last part when an article joins a month whose other parts are full (%s)',
    async (_, threads) => {
      await (await start(3, threads)).build()
      const restarted = await start(3, threads)
      const etags = () =>
        [1, 2].map((p) => restarted.shelf.get(feedUrlPath(archivePath('2026-10', p), 'atom'))?.etag)
      const before = etags()
      await store.articles.upsert(article('2026-10', 20))
      const report = await restarted.build()
      expect(report.archiveMonths).toBe(1)
      expect(etags()).toEqual(before)
      expect(await atomOf(archivePath('2026-10', 3))).toContain('Story of 2026-10-20]')
      expect((await walkArchive()).map((d) => d.entries)).toEqual([3, 3, 2, 2])
      // A build thread's staged files were all renamed into place (handover.ts).
      const names = await readdir(feedsDir, { recursive: true })
      expect(names.filter((name) => name.endsWith('.tmp'))).toEqual([])
    },
  )

  it('starts a new part when the last is full; the parts before the last stay', async () => {
    await store.articles.upsertMany([article('2026-10', 20), article('2026-10', 21)])
    const first = await start()
    await first.build()
    await store.articles.upsert(article('2026-10', 22))
    // Part 3 was full: part 4 is new, part 3 gains a next-archive link and the next month's first
    // part's prev-archive moves to part 4; parts 1 and 2 stay as they were.
    expect((await first.build()).archiveMonths).toBe(3)
    expect((await walkArchive()).map((d) => d.path)).toEqual([
      'archive/2026/10',
      'archive/2026/10/2',
      'archive/2026/10/3',
      'archive/2026/10/4',
      'archive/2026/11',
    ])
    // The site feed now links to the newest part of the newest month, as before.
    expect(linksOf(await atomOf(''))['prev-archive']).toBe('archive/2026/11')
  })

  it('keeps the parts across a restart: nothing rendered, the same bytes', async () => {
    await (await start()).build()
    const before = await atomOf(archivePath('2026-10', 2))
    const restarted = await start()
    expect((await restarted.build()).archiveMonths).toBe(0)
    expect(await atomOf(archivePath('2026-10', 2))).toBe(before)
    expect(restarted.shelf.get(feedUrlPath(archivePath('2026-10', 3), 'json'))).toBeDefined()
  })

  it('moves later articles down a part when one is deleted, and takes the emptied part down', async () => {
    const first = await start()
    await first.build()
    await store.articles.delete('2026-10-2', new Date('2026-11-20T00:00:00Z'))
    // By position from the oldest end: parts 1 and 2 shift by one, part 3 empties and goes.
    const report = await first.build()
    expect(report.archiveMonths).toBe(3)
    expect(await walkArchive()).toEqual([
      { path: 'archive/2026/10', entries: 3 },
      { path: 'archive/2026/10/2', entries: 3 },
      { path: 'archive/2026/11', entries: 2 },
    ])
    expect(first.shelf.get(feedUrlPath(archivePath('2026-10', 3), 'rss'))).toBeUndefined()
    // The tombstone is in the month's newest part.
    expect(await atomOf(archivePath('2026-10', 2))).toContain('deleted-entry')
  })

  it('cuts every month again when the bound changes', async () => {
    await (await start()).build()
    const wider = await start(10)
    expect((await wider.build()).archiveMonths).toBe(2)
    expect((await walkArchive()).map((d) => d.entries)).toEqual([7, 2])
    expect(wider.shelf.get(feedUrlPath(archivePath('2026-10', 2), 'rss'))).toBeUndefined()
  })
})
