// SQLite on a disk that fills up, for real (a small tmpfs): writes answer 507 naming nothing but the
// fix, builds fail visibly and recover by themselves once space is freed, and a restart while the
// disk is still full starts and serves the last good feeds.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { type Logger, type Service, startService } from '../../src/service.js'
import { makeArticle, testConfig } from '../helpers/fixtures.js'
import { until } from '../helpers/service.js'
import { mountTinyDisk, type TinyDisk } from '../helpers/tiny-disk.js'

const TOKEN = 'disk-full-token-0123456789'

let disk: TinyDisk
let service: Service | undefined
let logged: string[]
const log: Logger = {
  info: () => {},
  error: (message, error) =>
    logged.push(`${message} ${error instanceof Error ? error.message : (error ?? '')}`),
}

const start = () =>
  startService(
    testConfig(
      disk.path,
      { FEEDWRIGHT_ADMIN_TOKEN: TOKEN, REBUILD_DEBOUNCE_MS: '20' },
      {
        buildRetryBaseMs: 50,
        buildRetryMaxMs: 200,
      },
    ),
    log,
  )

const put = (s: Service, id: string) =>
  fetch(`${s.url}/api/articles/${id}`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify(makeArticle({ id, title: `Article ${id}` })),
  })

const rebuild = (s: Service) =>
  fetch(`${s.url}/api/rebuild`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` } })

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
  logged = []
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
