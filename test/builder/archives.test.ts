// Archives on the shelf: on disk with their compressed forms, rendered again only when a month
// changed, also across restarts.
import { access, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { gunzipSync } from 'node:zlib'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createBuilder } from '../../src/builder/builder.js'
import { createPublishedOutputs } from '../../src/publish/outputs.js'
import { openShelf } from '../../src/publish/shelf.js'
import { openSqliteStore } from '../../src/store/sqlite.js'
import type { Store } from '../../src/store/store.js'
import { makeArticle, SITE, tempDir } from '../helpers/fixtures.js'

let dir: Awaited<ReturnType<typeof tempDir>>
let store: Store
let feedsDir: string
let nextId = 0

/** A service start: a new process with empty memory and the shelf read back from disk. */
const start = async (hubUrl = 'https://hub.example.org/', deferArchivesAtStart = false) => {
  const builder = createBuilder({
    deferArchivesAtStart,
    settings: { site: SITE, feedLimit: 5, hubUrl, feedsDir },
    dependencies: { store, outputs: createPublishedOutputs(), shelf: await openShelf(feedsDir) },
  })
  return { build: (full = false) => builder.build({ id: ++nextId, full }) }
}

const MONTHS = ['2026-07', '2026-08', '2026-09', '2026-10', '2026-11']

beforeEach(async () => {
  dir = await tempDir()
  feedsDir = join(dir.path, 'feeds')
  store = openSqliteStore(join(dir.path, 'store.db'))
  await store.articles.upsertMany(
    MONTHS.map((month, i) =>
      makeArticle({ id: `story-${i}`, publishedAt: `${month}-10T10:00:00Z`, tags: [] }),
    ),
  )
})
afterEach(async () => {
  await store.close()
  await dir.cleanup()
})

describe('archives on the shelf', () => {
  it('writes each archive with .gz and .br beside it, and serves them from disk only', async () => {
    const report = await (await start()).build()
    expect(report.archiveMonths).toBe(5)
    const file = join(feedsDir, 'archive/2026/09/atom.xml')
    const identity = await readFile(file)
    expect(gunzipSync(await readFile(`${file}.gz`)).equals(identity)).toBe(true)
    await access(`${file}.br`)
    await access(join(feedsDir, 'archive/2026/09/index.html'))
    expect(identity.toString()).toContain('<fh:archive/>')
  })

  it('renders no archive again after a restart when nothing changed, and keeps their files', async () => {
    await (await start()).build()
    const restarted = await (await start()).build()
    expect(restarted.archiveMonths).toBe(0)
    await access(join(feedsDir, 'archive/2026/07/rss.xml'))
    await access(join(feedsDir, 'archive/2026/07/rss.xml.br'))
  })

  it('renders only the changed month after a change made while stopped', async () => {
    await (await start()).build()
    await store.articles.upsert(
      makeArticle({
        id: 'story-2',
        publishedAt: '2026-09-10T10:00:00Z',
        title: 'Edited',
        tags: [],
      }),
    )
    const restarted = await (await start()).build()
    expect(restarted.archiveMonths).toBe(1)
    const september = await readFile(join(feedsDir, 'archive/2026/09/atom.xml'), 'utf8')
    expect(september).toContain('Edited')
  })

  it('renders a new month and the neighbour whose prev-archive link now points at it', async () => {
    const service = await start()
    await service.build()
    await store.articles.upsert(
      makeArticle({ id: 'june', publishedAt: '2026-06-01T10:00:00Z', tags: [] }),
    )
    expect((await service.build()).archiveMonths).toBe(2)
    const july = await readFile(join(feedsDir, 'archive/2026/07/atom.xml'), 'utf8')
    expect(july).toContain('archive/2026/06/atom.xml')
  })

  it('can publish the feeds first at start-up and leave the archive to the next build', async () => {
    const first = await start(undefined, true)
    const report = await first.build()
    expect(report).toMatchObject({ archiveMonths: 0, archiveMonthsDeferred: 5 })
    await access(join(feedsDir, 'rss.xml'))
    await expect(access(join(feedsDir, 'archive/2026/07/atom.xml'))).rejects.toThrow(/ENOENT/)
    expect((await first.build()).archiveMonths).toBe(5)
    // A restart with nothing changed: nothing due, nothing deferred.
    const again = await (await start(undefined, true)).build()
    expect(again.archiveMonths).toBe(0)
    expect(again.archiveMonthsDeferred).toBeUndefined()
  })

  it('keeps what a deferred start-up build found due, also with the shelf manifest behind', async () => {
    await (await start()).build()
    await store.articles.upsert(
      makeArticle({
        id: 'story-4',
        publishedAt: '2026-11-10T10:00:00Z',
        title: 'Late fix',
        tags: [],
      }),
    )
    const restarted = await start(undefined, true)
    expect((await restarted.build()).archiveMonthsDeferred).toBe(1)
    expect((await restarted.build()).archiveMonths).toBe(1)
    expect(await readFile(join(feedsDir, 'archive/2026/11/atom.xml'), 'utf8')).toContain('Late fix')
    expect((await (await start()).build()).archiveMonths).toBe(0)
  })

  it('renders every archive when the settings that shape them change, or on a full rebuild', async () => {
    await (await start()).build()
    const otherHub = await start('https://other-hub.example.org/')
    expect((await otherHub.build()).archiveMonths).toBe(5)
    expect((await otherHub.build()).archiveMonths).toBe(0)
    expect((await otherHub.build(true)).archiveMonths).toBe(5)
  })

  it('takes the files of a month that emptied off the disk', async () => {
    const service = await start()
    await service.build()
    await store.articles.delete('story-0', new Date('2026-11-20T00:00:00Z'))
    const report = await service.build()
    expect(report.removed).toBeGreaterThanOrEqual(4)
    await expect(access(join(feedsDir, 'archive/2026/07/atom.xml.gz'))).rejects.toThrow(/ENOENT/)
    await expect(access(join(feedsDir, 'archive/2026/07/index.html'))).rejects.toThrow(/ENOENT/)
    const august = await readFile(join(feedsDir, 'archive/2026/08/atom.xml'), 'utf8')
    expect(august).not.toContain('rel="prev-archive"')
  })
})
