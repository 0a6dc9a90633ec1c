// PostgreSQL going away and freezing, seen through a TCP proxy the test controls (the shared server
// is never stopped): writes answer 503 with Retry-After and the log names the cause, a frozen server
// fails a write within the statement timeout, and builds recover by themselves.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { type Service, startService } from '../../src/service.js'
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

let proxy: TcpProxy
let schema: string
let dir: Awaited<ReturnType<typeof tempDir>>
let service: Service | undefined
const logged: string[] = []
const log = errorsInto(logged)

// Short timeouts for the tests that measure them; one that does not gives queries room on a loaded
// machine (a query that times out there would fail the test for the wrong reason).
const start = (timeoutMs = 1000) => {
  return startService(
    testConfig(
      dir.path,
      {
        FEEDWRIGHT_ADMIN_TOKEN: ADMIN_TOKEN,
        REBUILD_DEBOUNCE_MS: '20',
        DATABASE_URL: databaseUrlThrough(proxy.port),
        DATABASE_SCHEMA: schema,
        DATABASE_CONNECT_TIMEOUT_MS: String(timeoutMs),
        DATABASE_STATEMENT_TIMEOUT_MS: String(timeoutMs),
      },
      { buildRetryBaseMs: 50, buildRetryMaxMs: 500 },
    ),
    log,
  )
}

const put = (s: Service, id: string) =>
  adminApi(s.url).put(`/api/articles/${id}`, makeArticle({ id, title: `Article ${id}` }))

const siteFeedHas = async (s: Service, id: string) =>
  (await (await fetch(`${s.url}/feeds/atom.xml`)).text()).includes(`/${id}`)

beforeEach(async () => {
  logged.length = 0
  schema = newSchema()
  dir = await tempDir()
  proxy = await proxyToTestDatabase()
})
afterEach(async () => {
  await proxy.restore()
  await service?.close()
  service = undefined
  await proxy.close()
  await dropSchema(schema)
  await dir.cleanup()
})

describe('PostgreSQL going away', () => {
  it('answers 503 with Retry-After while the server is unreachable, and builds recover by themselves', async () => {
    service = await start()
    const s = service
    await proxy.cut()
    const refused = await put(s, 'during-outage')
    expect(refused.status).toBe(503)
    expect(refused.headers.get('retry-after')).toBe('5')
    expect(logged.join('\n')).toMatch(/store\/postgres: \w+ failed: ECONNREFUSED/)
    const rebuild = await adminApi(s.url).call('POST', '/api/rebuild')
    expect(rebuild.status).toBe(503)
    expect(s.scheduler.status().consecutiveFailures).toBeGreaterThan(0)
    // Feeds are still served from memory meanwhile.
    expect((await fetch(`${s.url}/feeds/rss.xml`)).status).toBe(200)

    await proxy.restore()
    await until('a build succeeds', () => s.scheduler.status().consecutiveFailures === 0)
    expect((await put(s, 'after-outage')).status).toBe(201)
    await until('the article written after the outage reaches the feeds', () =>
      siteFeedHas(s, 'after-outage'),
    )
  })

  it('fails a write within the statement timeout when the server freezes, then recovers', async () => {
    service = await start()
    const s = service
    proxy.freeze()
    const started = Date.now()
    const frozen = await put(s, 'while-frozen')
    const waited = Date.now() - started
    expect(frozen.status).toBe(503)
    // One statement timeout (1 s) for the write, plus at most one connect timeout (1 s).
    expect(waited).toBeLessThan(4_000)
    expect(logged.join('\n')).toMatch(/store\/postgres: \w+ failed: (Query read timeout|timeout)/)
    // A build cannot hang on it either: asking for one fails in time, and is retried.
    const rebuildStarted = Date.now()
    const rebuild = await adminApi(s.url).call('POST', '/api/rebuild')
    expect(rebuild.status).toBe(503)
    expect(Date.now() - rebuildStarted).toBeLessThan(4_000)
    expect(s.scheduler.status().consecutiveFailures).toBeGreaterThan(0)

    await proxy.restore()
    await until('writes succeed again', async () => (await put(s, 'after-thaw')).status === 201)
    await until('the article written after the thaw reaches the feeds', () =>
      siteFeedHas(s, 'after-thaw'),
    )
    await until('builds succeed again', () => s.scheduler.status().consecutiveFailures === 0)
  })

  it('answers "failed" with the cause for a build that could not finish, not "pending" then 404', async () => {
    service = await start(10_000)
    const s = service
    const { call: admin } = adminApi(s.url)
    // A full build runs; the next one is queued behind it with its id already handed out.
    expect((await admin('POST', '/api/rebuild', { full: true })).status).toBe(202)
    const queued = await admin('POST', '/api/rebuild', { full: true })
    expect(queued.status).toBe(202)
    const { id } = (await queued.json()) as { id: number }
    await proxy.cut()
    await until('the queued build has failed', () => s.scheduler.failure(id) !== undefined)
    await proxy.restore()
    const answer = await admin('GET', `/api/builds/${id}`)
    expect(answer.status).toBe(200)
    expect(await answer.json()).toMatchObject({
      id,
      status: 'failed',
      error: expect.stringMatching(/^store\/postgres: .* failed: ECONNREFUSED/),
    })
  })
})
