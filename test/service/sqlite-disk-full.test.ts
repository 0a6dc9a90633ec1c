// SQLite on a disk that fills up, for real (a small tmpfs): writes answer 507 naming nothing but the
// fix, builds fail visibly and recover by themselves once space is freed, and a restart while the
// disk is still full starts and serves the last good feeds.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { type Service, startService } from '../../src/service.js'
import { join } from 'node:path'
import { makeArticle, tempDir, testConfig } from '../helpers/fixtures.js'
import { ADMIN_TOKEN, adminApi } from '../helpers/admin.js'
import { errorsInto, until } from '../helpers/service.js'
import { mountTinyDisk, type TinyDisk } from '../helpers/tiny-disk.js'

let disk: TinyDisk
let service: Service | undefined
const logged: string[] = []
const log = errorsInto(logged)

// Builds before listening, as a start did before restoring came first: the restart below is the
// start-up build that fails and falls back to feeds/ (restore-first.test.ts starts the other way).
const start = () =>
  startService(
    testConfig(
      disk.path,
      { FEEDWRIGHT_ADMIN_TOKEN: ADMIN_TOKEN, REBUILD_DEBOUNCE_MS: '20' },
      {
        buildRetryBaseMs: 50,
        buildRetryMaxMs: 200,
      },
    ),
    log,
    { buildBeforeListening: true },
  )

const put = (s: Service, id: string) =>
  adminApi(s.url).put(`/api/articles/${id}`, makeArticle({ id, title: `Article ${id}` }))

const rebuild = (s: Service) => adminApi(s.url).call('POST', '/api/rebuild')

const siteFeed = async (s: Service) => (await fetch(`${s.url}/feeds/atom.xml`)).text()

/** Writes articles until the store says the disk is full; the WAL may hold a few more first. */
const writeUntilFull = async (s: Service): Promise<Response> => {
  for (let i = 0; i < 200; i += 1) {
    const response = await put(s, `filler-${i}`)
    if (response.status !== 201) return response
  }
  throw new Error('the store never reported a full disk')
}

beforeEach(async () => {
  logged.length = 0
  disk = await mountTinyDisk(8)
})
afterEach(async () => {
  await service?.close()
  service = undefined
  await disk.unmount()
})

describe('SQLite on a full disk', () => {
  it('answers 507 with Retry-After, fails builds visibly, and builds again by itself once space is freed', async () => {
    service = await start()
    const s = service
    disk.fill()
    const refused = await writeUntilFull(s)
    expect(refused.status).toBe(507)
    expect(refused.headers.get('retry-after')).toBe('60')
    expect(await refused.json()).toMatchObject({ status: 507, title: 'Insufficient Storage' })
    expect(logged.join('\n')).toMatch(/store\/sqlite: upsert failed: SQLITE_FULL/)

    // The build cannot even get an id: the rebuild request says why, and readiness can see it.
    const failedRebuild = await rebuild(s)
    expect(failedRebuild.status).toBe(507)
    expect(s.scheduler.status().consecutiveFailures).toBeGreaterThan(0)
    expect(s.scheduler.status().lastError?.message).toMatch(/nextBuildId failed: SQLITE_FULL/)
    expect(s.scheduler.status().retryAt).toBeDefined()

    disk.free()
    // No trigger from here: the scheduler's retry builds once the store answers.
    await until('a build succeeds', () => s.scheduler.status().consecutiveFailures === 0)
    expect((await put(s, 'after-the-disk-was-freed')).status).toBe(201)
    await until('the new article reaches the feeds', async () =>
      (await siteFeed(s)).includes('after-the-disk-was-freed'),
    )
    expect((await rebuild(s)).status).toBe(202)
  })

  it('starts while the disk is still full and serves the last good feeds, then recovers', async () => {
    service = await start()
    const before = await fetch(`${service.url}/feeds/atom.xml`)
    const etag = before.headers.get('etag')
    await service.close()
    service = undefined
    disk.fill()

    service = await start()
    const s = service
    expect(logged.join('\n')).toMatch(/opened it in exclusive mode/)
    expect(logged.join('\n')).toMatch(/the start-up build failed: serving \d+ outputs/)
    const served = await fetch(`${s.url}/feeds/atom.xml`)
    expect(served.status).toBe(200)
    expect(served.headers.get('etag')).toBe(etag)
    expect((await fetch(`${s.url}/feeds/categories/space/rss.xml`)).status).toBe(200)
    expect((await fetch(`${s.url}/`)).status).toBe(200)
    expect((await put(s, 'while-full')).status).toBe(507)

    disk.free()
    await until('a build succeeds', () => s.scheduler.status().consecutiveFailures === 0)
    expect((await put(s, 'after-restart')).status).toBe(201)
    await until('the new article reaches the feeds', async () =>
      (await siteFeed(s)).includes('after-restart'),
    )
    // The first build after restoring was full: every feed is the build's own again.
    expect(s.outputs.list().every((o) => !o.feedKey.startsWith('restored:'))).toBe(true)
  })
})

describe('feeds/ on a full disk', () => {
  it('ends a build whose archive month cannot be written with a report naming the failures', async () => {
    const data = await tempDir()
    try {
      service = await startService(
        testConfig(disk.path, {
          FEEDWRIGHT_ADMIN_TOKEN: ADMIN_TOKEN,
          REBUILD_DEBOUNCE_MS: '60000',
          DATA_DIR: data.path,
          FEEDS_DIR: join(disk.path, 'feeds'),
        }),
        log,
      )
      const s = service
      const november = '/feeds/archive/2026/11/atom.xml'
      await until('the archive is on the shelf', () => s.shelf?.basis() !== undefined)
      const servedBefore = await fetch(`${s.url}${november}`)
      const gzipBefore = await fetch(`${s.url}${november}`, {
        headers: { 'accept-encoding': 'gzip' },
      })
      expect(servedBefore.status).toBe(200)
      disk.fill()
      const september = makeArticle({ id: 'september', publishedAt: '2026-09-15T12:00:00Z' })
      const november2 = makeArticle({ id: 'november-2', publishedAt: '2026-11-02T12:00:00Z' })
      expect((await put(s, 'unused')).status).toBe(201) // the store is on another disk
      for (const article of [september, november2]) {
        const response = await adminApi(s.url).put(`/api/articles/${article.id}`, article)
        expect(response.status).toBe(201)
      }
      const accepted = await rebuild(s)
      expect(accepted.status).toBe(202)
      const { id } = (await accepted.json()) as { id: number }
      let report: { status: string; failures?: Array<{ feed: string; message: string }> } = {
        status: 'pending',
      }
      await until('the build ends', async () => {
        report = (await (
          await adminApi(s.url).call('GET', `/api/builds/${id}`)
        ).json()) as typeof report
        return report.status !== 'pending'
      })
      expect(report.status).toBe('finished')
      const failed = report.failures!.map((f) => f.feed)
      expect(failed).toContain('/feeds/archive/2026/09/atom.xml')
      expect(failed).toContain('/feeds/archive/2026/11/atom.xml')
      expect(failed).toContain('/feeds/archive/manifest.json')
      expect(report.failures!.some((f) => f.message.includes('ENOSPC'))).toBe(true)
      // What was published stays as it was, in every coding.
      const servedDuring = await fetch(`${s.url}${november}`)
      expect(servedDuring.headers.get('etag')).toBe(servedBefore.headers.get('etag'))
      expect(await servedDuring.text()).toBe(await servedBefore.text())
      const gzipDuring = await fetch(`${s.url}${november}`, {
        headers: { 'accept-encoding': 'gzip' },
      })
      expect(gzipDuring.headers.get('etag')).toBe(gzipBefore.headers.get('etag'))
      expect((await fetch(`${s.url}/feeds/archive/2026/09/atom.xml`)).status).toBe(404)

      disk.free()
      expect((await rebuild(s)).status).toBe(202)
      await until('both archive months are published once space is freed', async () => {
        const [sept, nov] = await Promise.all([
          fetch(`${s.url}/feeds/archive/2026/09/atom.xml`),
          fetch(`${s.url}${november}`),
        ])
        return sept.ok && (await nov.text()).includes('november-2')
      })
    } finally {
      await service?.close()
      service = undefined
      await data.cleanup()
    }
  })
})
