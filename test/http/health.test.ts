import { renameSync, rmSync, writeFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startService, type Service } from '../../src/service.js'
import { makeArticle, tempDir, testConfig } from '../helpers/fixtures.js'
import {
  dropSchema,
  newSchema,
  postgresUnavailable,
  TEST_DATABASE_URL,
  databaseUrlThrough,
} from '../helpers/postgres.js'
import { QUIET, useService } from '../helpers/service.js'
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js'

interface Problem {
  status: number
  reasons: Array<{ reason: string; detail: string; outputs?: unknown[] }>
}

const readyz = async (service: Service) => {
  const response = await fetch(`${service.url}/readyz`)
  return {
    status: response.status,
    type: response.headers.get('content-type'),
    body: (await response.json()) as Problem & { status: number | string },
  }
}

const reasonsOf = async (service: Service) => (await readyz(service)).body.reasons ?? []

describe('GET /healthz and GET /readyz on a healthy service', () => {
  const service = useService()

  it('answers /healthz 200 with the last build summary', async () => {
    const response = await fetch(`${service().url}/healthz`)
    expect(response.status).toBe(200)
    expect(response.headers.get('cache-control')).toBe('no-store')
    expect(await response.json()).toMatchObject({ status: 'ok', lastBuild: { failures: 0 } })
  })

  it('answers /readyz 200 once feeds are published and everything answers', async () => {
    const { status, body } = await readyz(service())
    expect(status).toBe(200)
    expect(body).toEqual({ status: 'ready' })
  })
})

describe('GET /readyz names each reason for not being ready', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>
  let service: Service
  beforeAll(async () => {
    dir = await tempDir()
    // Without archives, a build whose files cannot be written ends with failed outputs.
    service = await startService(testConfig(dir.path, { ARCHIVES: 'false' }), QUIET)
  })
  afterAll(async () => {
    await service.close().catch(() => undefined)
    await dir.cleanup()
  })

  it('reports FEEDS_DIR not writable, and recovers when it is again', async () => {
    // Root ignores permission bits: the directory is replaced by a file, so no write can succeed.
    const feeds = service.config.feedsDir
    renameSync(feeds, `${feeds}.away`)
    writeFileSync(feeds, 'not a directory')
    try {
      const { status, type, body } = await readyz(service)
      expect(status).toBe(503)
      expect(type).toBe('application/problem+json')
      expect(body.status).toBe(503)
      expect(body.reasons).toEqual([
        {
          reason: 'feeds-dir-not-writable',
          detail: `FEEDS_DIR ${feeds} cannot be written (ENOTDIR)`,
        },
      ])
      // Liveness is not readiness: the process still answers.
      expect((await fetch(`${service.url}/healthz`)).status).toBe(200)
    } finally {
      rmSync(feeds)
      renameSync(`${feeds}.away`, feeds)
    }
    expect((await readyz(service)).status).toBe(200)
  })

  it('reports outputs the last build could not publish: which, and which rule', async () => {
    // Taking the feeds directory away during a build makes its documents fail to publish.
    const feeds = service.config.feedsDir
    renameSync(feeds, `${feeds}.away`)
    writeFileSync(feeds, 'not a directory')
    // A new article changes the site feed, so its files must be written again.
    await service.store.articles.upsert(makeArticle())
    try {
      const report = await service.scheduler.rebuild()
      expect(report.failures.length).toBeGreaterThan(0)
    } finally {
      rmSync(feeds)
      renameSync(`${feeds}.away`, feeds)
    }
    const reasons = await reasonsOf(service)
    expect(reasons.map((r) => r.reason)).toEqual(['outputs-failed'])
    expect(reasons[0]?.detail).toMatch(
      /^build \d+ could not publish \d+ outputs; the last good ones are served$/,
    )
    expect(reasons[0]?.outputs).toContainEqual({
      feed: '/feeds/rss.xml',
      rule: 'publish',
      message: expect.stringMatching(/EEXIST|ENOTDIR/),
    })
    // The metrics say the same: failed outputs by rule, and in the last build.
    const metrics = await (await fetch(`${service.url}/metrics`)).text()
    expect(metrics).toMatch(/^feedwright_build_output_failures_total\{rule="publish"\} [1-9]\d*$/m)
    expect(metrics).toMatch(/^feedwright_last_build_failed_outputs [1-9]\d*$/m)
    // The next build retries what failed and publishes it: ready.
    expect((await service.scheduler.rebuild()).failures).toEqual([])
    expect((await readyz(service)).status).toBe(200)
  })

  it('reports items left out of the feeds (quarantined), in readiness and metrics', async () => {
    // A row stored before dates were bounded: year 10000 cannot be written in any format.
    const legacy = {
      ...makeArticle({ id: 'from-year-10000' }),
      publishedAt: '+010000-01-01T00:59:59.000Z',
      updatedAt: '+010000-01-01T00:59:59.000Z',
    }
    await service.store.articles.upsert(legacy)
    const report = await service.scheduler.rebuild()
    expect(report.failures).toEqual([])
    expect(report.quarantinedTotal).toBeGreaterThan(0)
    const reasons = await reasonsOf(service)
    expect(reasons.map((r) => r.reason)).toEqual(['items-quarantined'])
    expect(reasons[0]).toMatchObject({
      detail: `${report.quarantinedTotal} items are left out of the feeds served: each made its document fail its check`,
      items: expect.arrayContaining([
        expect.objectContaining({ article: 'from-year-10000', feed: '/feeds/rss.xml' }),
      ]),
    })
    const gauge = /^feedwright_quarantined_items (\d+)$/m
    const scrape = async () => (await (await fetch(`${service.url}/metrics`)).text()).match(gauge)
    expect(Number((await scrape())?.[1])).toBe(report.quarantinedTotal)
    // Fixed by an edit: nothing is left out any more, and the service is ready again.
    await service.store.articles.upsert(makeArticle({ id: 'from-year-10000' }))
    expect((await service.scheduler.rebuild()).quarantinedTotal).toBe(0)
    expect((await readyz(service)).status).toBe(200)
    expect((await scrape())?.[1]).toBe('0')
  })

  it('reports a SQLite store that does not answer (closed)', async () => {
    await service.store.close()
    const reasons = await reasonsOf(service)
    expect(reasons.map((r) => r.reason)).toContain('store-not-answering')
    expect(reasons.find((r) => r.reason === 'store-not-answering')?.detail).toMatch(
      /^the store does not answer: .*not open/,
    )
  })
})

describe.skipIf(postgresUnavailable !== undefined)('GET /readyz with PostgreSQL stopped', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>
  let service: Service
  let proxy: TcpProxy
  const schema = newSchema()
  beforeAll(async () => {
    dir = await tempDir()
    const target = new URL(TEST_DATABASE_URL)
    proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) })
    service = await startService(
      testConfig(dir.path, {
        DATABASE_URL: databaseUrlThrough(proxy.port),
        DATABASE_SCHEMA: schema,
      }),
      QUIET,
    )
  })
  afterAll(async () => {
    await proxy.close()
    await Promise.race([service.close(), new Promise((r) => setTimeout(r, 3_000))])
    await dir.cleanup()
    await dropSchema(schema)
  })

  it('is ready while PostgreSQL answers, and names the store when it stops answering', async () => {
    expect((await readyz(service)).status).toBe(200)
    // Connections accepted, nothing answered: a server that hangs.
    proxy.freeze()
    const { status, body } = await readyz(service)
    expect(status).toBe(503)
    const store = body.reasons.find((r) => r.reason === 'store-not-answering')
    expect(store?.detail).toMatch(/^the store does not answer: /)
    // The process itself is alive.
    expect((await fetch(`${service.url}/healthz`)).status).toBe(200)
  })
})
