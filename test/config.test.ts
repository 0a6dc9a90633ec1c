import { writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { loadConfig } from '../src/config.js'
import { tempDir } from './helpers/fixtures.js'

let dir: Awaited<ReturnType<typeof tempDir>>
beforeEach(async () => {
  dir = await tempDir()
})
afterEach(() => dir.cleanup())

const withFile = (content: unknown) => {
  writeFileSync(join(dir.path, 'feedwright.config.json'), JSON.stringify(content))
}

describe('loadConfig', () => {
  it('has defaults that run with no file and no environment', () => {
    const config = loadConfig({}, dir.path)
    expect(config).toMatchObject({ port: 3000, feedCron: '*/5 * * * *', feedLimit: 50 })
    expect(config.site.url).toBe('http://localhost:3000')
    expect(config.dataDir).toBe(join(dir.path, 'data'))
    expect(Object.isFrozen(config)).toBe(true)
  })

  it('lets the environment override the file', () => {
    withFile({ feedLimit: 20, site: { title: 'From file', url: 'https://file.example' } })
    const config = loadConfig({ FEED_LIMIT: '10', SITE_URL: 'https://env.example/' }, dir.path)
    expect(config.feedLimit).toBe(10)
    expect(config.site.url).toBe('https://env.example')
    expect(config.site.title).toBe('From file')
  })

  it('stops with a message naming the bad key', () => {
    expect(() => loadConfig({ FEED_CRON: 'every minute' }, dir.path)).toThrow(
      /feedCron: must be a cron/,
    )
    expect(() => loadConfig({ FEED_LIMIT: 'lots' }, dir.path)).toThrow(/feedLimit/)
    withFile({ site: { colour: 'red' } })
    expect(() => loadConfig({}, dir.path)).toThrow(/site\.colour/)
  })

  it('reads paging, archives and WebSub settings, the hub defaulting to the built-in one', () => {
    const defaults = loadConfig({}, dir.path)
    expect(defaults).toMatchObject({ feedPages: 5, archives: true })
    expect(defaults.hubUrl).toBe('http://localhost:3000/websub')
    expect(defaults.websub).toMatchObject({ attempts: 6, allowPrivateCallbacks: false })
    withFile({ feedPages: 2, websub: { attempts: 2 } })
    const config = loadConfig(
      { ARCHIVES: 'false', WEBSUB_HUB_URL: 'https://hub.example.net/' },
      dir.path,
    )
    expect(config).toMatchObject({ feedPages: 2, archives: false })
    expect(config.hubUrl).toBe('https://hub.example.net')
    expect(config.websub.attempts).toBe(2)
    withFile({ websub: { minLeaseSeconds: 600, maxLeaseSeconds: 60 } })
    expect(() => loadConfig({}, dir.path)).toThrow(/websub: minLeaseSeconds exceeds/)
    expect(() => loadConfig({ WEBSUB_HUB_URL: 'ftp://x' }, dir.path)).toThrow(/websub.hubUrl/)
  })

  it('validates custom feeds', () => {
    withFile({ customFeeds: [{ slug: 'x', title: 'X', description: 'd', include: {} }] })
    expect(() => loadConfig({}, dir.path)).toThrow(
      /customFeeds\.0\.include: must name at least one/,
    )
    const feed = { slug: 'x', title: 'X', description: 'd', include: { tags: ['A'] } }
    withFile({ customFeeds: [feed, feed] })
    expect(() => loadConfig({}, dir.path)).toThrow(/slugs must be unique/)
    withFile({ customFeeds: [feed] })
    expect(loadConfig({}, dir.path).customFeeds[0]?.exclude).toEqual({
      categories: [],
      tags: [],
      authors: [],
    })
  })

  it.each([' '.repeat(20), '\t'.repeat(16), 'a-token-of-twenty with-a-space'])(
    'refuses an admin token with whitespace, which could never authenticate (%j)',
    (token) => {
      expect(() => loadConfig({ FEEDWRIGHT_ADMIN_TOKEN: token }, dir.path)).toThrow(
        /adminToken: must not contain spaces or other whitespace/,
      )
    },
  )

  it('reads the hub limits, the PostgreSQL timeouts and the build retry, with their defaults', () => {
    const defaults = loadConfig({}, dir.path)
    expect(defaults.websub).toMatchObject({
      verifyConcurrency: 16,
      deliveryConcurrency: 32,
      hostConcurrency: 2,
      maxPendingVerifications: 1_000,
      maxPendingPerHost: 20,
      maxPendingPerTopic: 200,
      requestsPerMinute: 60,
    })
    expect(defaults).toMatchObject({
      databaseConnectTimeoutMs: 5_000,
      databaseStatementTimeoutMs: 30_000,
      buildRetryBaseMs: 1_000,
      buildRetryMaxMs: 60_000,
    })
    withFile({ websub: { hostConcurrency: 1, requestsPerMinute: 0 }, buildRetryMaxMs: 5_000 })
    const config = loadConfig(
      { DATABASE_CONNECT_TIMEOUT_MS: '750', DATABASE_STATEMENT_TIMEOUT_MS: '2000' },
      dir.path,
    )
    expect(config.websub).toMatchObject({ hostConcurrency: 1, requestsPerMinute: 0 })
    expect(config).toMatchObject({
      databaseConnectTimeoutMs: 750,
      databaseStatementTimeoutMs: 2_000,
      buildRetryMaxMs: 5_000,
    })
    withFile({ websub: { hostConcurrency: 0 } })
    expect(() => loadConfig({}, dir.path)).toThrow(/websub.hostConcurrency/)
    withFile({})
    expect(() => loadConfig({ DATABASE_STATEMENT_TIMEOUT_MS: 'soon' }, dir.path)).toThrow(
      /databaseStatementTimeoutMs/,
    )
  })

  it('takes the admin token only from the environment', () => {
    expect(loadConfig({ FEEDWRIGHT_ADMIN_TOKEN: 'x'.repeat(32) }, dir.path).adminToken).toBe(
      'x'.repeat(32),
    )
    withFile({ adminToken: 'y'.repeat(32) })
    expect(() => loadConfig({}, dir.path)).toThrow(
      /adminToken must not be in .*FEEDWRIGHT_ADMIN_TOKEN/,
    )
  })

  it('seeds only from the file that names a seed folder, relative to that file', () => {
    const demo = loadConfig(
      { SITE_URL: 'https://mine.example' },
      resolve(import.meta.dirname, '..'),
    )
    expect(demo.seedFrom).toBe(resolve(import.meta.dirname, '../fixtures/articles'))
    expect(loadConfig({ FIXTURES_DIR: '/tmp', SEED_FROM: '/tmp' }, dir.path).seedFrom).toBe(
      undefined,
    )
    withFile({ seedFrom: 'my-articles' })
    expect(loadConfig({}, dir.path).seedFrom).toBe(join(dir.path, 'my-articles'))
    withFile({ seedFrom: 5 })
    expect(() => loadConfig({}, dir.path)).toThrow(/seedFrom/)
  })
})
