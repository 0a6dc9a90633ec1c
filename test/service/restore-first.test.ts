// A start serves what the last run left in feeds/ before its first build, and a PostgreSQL that
// cannot be reached at start-up does not stop it: feeds/ is served, /readyz says why, and once the
// server answers (through a TCP proxy the test controls) the store is migrated and built as usual.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { type Service, startService } from '../../src/service.js'
import { isRestored } from '../../src/publish/restore.js'
import { makeArticle, tempDir, testConfig } from '../helpers/fixtures.js'
import {
  databaseUrlThrough,
  dropSchema,
  newSchema,
  proxyToTestDatabase,
} from '../helpers/postgres.js'
import { ADMIN_TOKEN, adminApi } from '../helpers/admin.js'
import { errorsInto, until } from '../helpers/service.js'
import type { TcpProxy } from '../helpers/tcp-proxy.js'

let dir: Awaited<ReturnType<typeof tempDir>>
let service: Service | undefined
const logged: string[] = []
const log = {
  ...errorsInto(logged),
  info: (message: string) => void logged.push(message),
}

const put = (s: Service, id: string) =>
  adminApi(s.url).put(`/api/articles/${id}`, makeArticle({ id, title: `Article ${id}` }))

const siteFeedHas = async (s: Service, id: string) =>
  (await (await fetch(`${s.url}/feeds/atom.xml`)).text()).includes(`/${id}`)

const readiness = async (s: Service) => {
  const response = await fetch(`${s.url}/readyz`)
  const body = (await response.json()) as { reasons?: Array<{ reason: string; detail: string }> }
  return { status: response.status, reasons: body.reasons ?? [] }
}

const ETAGGED = ['/feeds/atom.xml', '/feeds/rss.xml', '/feeds/categories/space/feed.json', '/']

/** The site's Atom feed as each coding serves it, decoded (the .gz and .br files restored too). */
const codings = (s: Service) =>
  Promise.all(
    ['identity', 'gzip', 'br'].map(async (coding) => {
      const response = await fetch(`${s.url}/feeds/atom.xml`, {
        headers: { 'accept-encoding': coding },
      })
      return `${response.headers.get('content-encoding') ?? 'identity'} ${await response.text()}`
    }),
  )

const etags = async (s: Service) =>
  Promise.all(
    ETAGGED.map(async (path) => {
      const response = await fetch(`${s.url}${path}`)
      return `${response.status} ${response.headers.get('etag')} ${response.headers.get('last-modified')}`
    }),
  )

const withoutDates = (answers: string[]) => answers.map((a) => a.split(' ').slice(0, 2).join(' '))

beforeEach(async () => {
  logged.length = 0
  dir = await tempDir()
})
afterEach(async () => {
  await service?.close()
  service = undefined
  await dir.cleanup()
})

describe('a start with what the last run left in feeds/ (SQLite)', () => {
  const start = () =>
    startService(
      testConfig(dir.path, { FEEDWRIGHT_ADMIN_TOKEN: ADMIN_TOKEN, REBUILD_DEBOUNCE_MS: '20' }),
      log,
    )

  it('serves the last run’s outputs before its first build, which then replaces every one', async () => {
    service = await start()
    expect(service.lastBuild()).toBeDefined() // nothing to restore: built before listening
    const before = await etags(service)
    const bodies = await codings(service)
    await service.close()
    service = undefined

    service = await start()
    const s = service
    // Resolved before any build of this run: what is served is what the last run wrote.
    expect(s.lastBuild()).toBeUndefined()
    expect(s.outputs.list().some(isRestored)).toBe(true)
    expect(logged.join('\n')).toMatch(/serving \d+ outputs the last run left in .* until a build/)
    // Restored: the same bytes, dated by their files until a build takes them over.
    expect(withoutDates(await etags(s))).toEqual(withoutDates(before))
    expect(await codings(s)).toEqual(bodies)

    await until('the first build has ended', () => s.lastBuild() !== undefined)
    expect(s.lastBuild()?.full).toBe(true)
    expect(s.outputs.list().some(isRestored)).toBe(false) // each replaced or taken down
    // Same content, same bytes, and the same Last-Modified as before the restart.
    expect(await etags(s)).toEqual(before)
    await until('ready', async () => (await readiness(s)).status === 200)
    expect((await put(s, 'after-restart')).status).toBe(201)
    await until('the new article reaches the feeds', () => siteFeedHas(s, 'after-restart'))
  })

  it('still builds before listening when asked to', async () => {
    service = await start()
    await service.close()
    service = await startService(testConfig(dir.path), log, { buildBeforeListening: true })
    expect(service.lastBuild()).toBeDefined()
    expect(service.outputs.list().some(isRestored)).toBe(false)
  })
})

describe('PostgreSQL unreachable at start-up', () => {
  let proxy: TcpProxy
  let schema: string
  beforeEach(async () => {
    schema = newSchema()
    proxy = await proxyToTestDatabase()
  })
  afterEach(async () => {
    await proxy.restore()
    await service?.close()
    service = undefined
    await proxy.close()
    await dropSchema(schema)
  })

  const start = () => {
    return startService(
      testConfig(
        dir.path,
        {
          FEEDWRIGHT_ADMIN_TOKEN: ADMIN_TOKEN,
          REBUILD_DEBOUNCE_MS: '20',
          DATABASE_URL: databaseUrlThrough(proxy.port),
          DATABASE_SCHEMA: schema,
          DATABASE_CONNECT_TIMEOUT_MS: '500',
          DATABASE_STATEMENT_TIMEOUT_MS: '1000',
        },
        { buildRetryBaseMs: 50, buildRetryMaxMs: 400 },
      ),
      log,
    )
  }

  it('starts, serves feeds/ and says why it is not ready, then connects and builds', async () => {
    service = await start()
    const before = await etags(service)
    await service.close()
    service = undefined
    await proxy.cut()

    service = await start()
    const s = service
    expect(logged.join('\n')).toMatch(/the store cannot be reached \(attempt 1\).*ECONNREFUSED/)
    expect(withoutDates(await etags(s))).toEqual(withoutDates(before))
    const { status, reasons } = await readiness(s)
    expect(status).toBe(503)
    expect(reasons.map((r) => r.reason)).toEqual(
      expect.arrayContaining(['serving-restored', 'store-not-answering']),
    )
    expect(reasons.find((r) => r.reason === 'store-not-answering')?.detail).toMatch(/ECONNREFUSED/)
    const refused = await put(s, 'while-away')
    expect(refused.status).toBe(503)
    expect(refused.headers.get('retry-after')).toBe('5')
    expect((await adminApi(s.url).call('POST', '/api/rebuild')).status).toBe(503)

    await proxy.restore()
    await until('a build succeeds', () => s.lastBuild() !== undefined)
    await until('ready', async () => (await readiness(s)).status === 200)
    expect(s.outputs.list().some(isRestored)).toBe(false)
    expect(await etags(s)).toEqual(before)
    expect((await put(s, 'after-reaching')).status).toBe(201)
    await until('the new article reaches the feeds', () => siteFeedHas(s, 'after-reaching'))
  })

  it('starts with nothing to serve while the server is frozen, then migrates, builds and serves', async () => {
    proxy.freeze()
    service = await start()
    const s = service
    const { status, reasons } = await readiness(s)
    expect(status).toBe(503)
    expect(reasons.map((r) => r.reason)).toEqual(
      expect.arrayContaining(['nothing-published', 'store-not-answering']),
    )
    expect((await fetch(`${s.url}/feeds/atom.xml`)).status).toBe(404)
    expect(logged.join('\n')).toMatch(
      /the store cannot be reached \(attempt 1\).*(timeout|terminated)/i,
    )

    // Readiness while that first build publishes feed after feed: not ready until it has ended.
    const whileBuilding: Array<{ published: number; ready: boolean; ended: boolean }> = []
    let watching = true
    const watch = (async () => {
      while (watching) {
        const published = s.outputs.list().length
        const ready = (await readiness(s)).status === 200
        whileBuilding.push({ published, ready, ended: s.lastBuild() !== undefined })
      }
    })()
    await proxy.restore()
    await until('the first build ended', () => s.lastBuild() !== undefined, 20_000)
    await until('ready', async () => (await readiness(s)).status === 200, 20_000)
    watching = false
    await watch
    const partial = whileBuilding.filter((r) => r.published > 0 && !r.ended)
    expect(partial.length).toBeGreaterThan(0)
    expect(partial.filter((r) => r.ready)).toEqual([])
    expect((await fetch(`${s.url}/feeds/atom.xml`)).status).toBe(200)
    expect(await s.store.articles.count()).toBeGreaterThan(0) // seeded once reached
  }, 30_000)
})
