import { writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { explainConfig, loadConfig } from '../src/config.js'
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
      'FEED_CRON must be a cron expression, got "every minute" (for example FEED_CRON=*/5 * * * *)',
    )
    expect(() => loadConfig({ FEED_LIMIT: 'lots' }, dir.path)).toThrow(
      /^config: FEED_LIMIT must be a whole number of items 1–1000, got "lots"/,
    )
    withFile({ site: { colour: 'red' } })
    expect(() => loadConfig({}, dir.path)).toThrow(/unknown key "site\.colour"/)
  })

  it('reads BUILD_THREADS (0: in-process; unset: the builder decides per core)', () => {
    expect(loadConfig({}, dir.path).buildThreads).toBeUndefined()
    expect(loadConfig({ BUILD_THREADS: '0' }, dir.path).buildThreads).toBe(0)
    expect(loadConfig({ BUILD_THREADS: '3' }, dir.path).buildThreads).toBe(3)
    expect(() => loadConfig({ BUILD_THREADS: '-1' }, dir.path)).toThrow(
      /^config: BUILD_THREADS must be a whole number of threads 0–64 \(0: in-process\)/,
    )
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
    expect(() => loadConfig({}, dir.path)).toThrow(/"websub" minLeaseSeconds exceeds/)
    expect(() => loadConfig({ WEBSUB_HUB_URL: 'ftp://x' }, dir.path)).toThrow(
      'WEBSUB_HUB_URL must be an http(s) URL, got "ftp://x"',
    )
  })

  it('validates custom feeds', () => {
    withFile({ customFeeds: [{ slug: 'x', title: 'X', description: 'd', include: {} }] })
    expect(() => loadConfig({}, dir.path)).toThrow(
      /"customFeeds\.0\.include" must name at least one/,
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
        /FEEDWRIGHT_ADMIN_TOKEN must not contain spaces or other whitespace/,
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
      /DATABASE_STATEMENT_TIMEOUT_MS must be milliseconds 1–3600000, got "soon"/,
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

describe('loadConfig refuses mistakes, one message each, naming what the operator set', () => {
  const problems = (env: Record<string, string>): string[] => {
    try {
      loadConfig(env, dir.path)
    } catch (error) {
      const message = (error as Error).message
      return message.includes('\n  - ')
        ? message.split('\n  - ').slice(1)
        : [message.replace(/^config: /, '')]
    }
    throw new Error('expected the configuration to be refused')
  }

  it('names an environment variable with what it got and an example', () => {
    expect(problems({ PORT: 'abc' })).toEqual([
      'PORT must be a port number 1–65535, got "abc" (for example PORT=8080)',
    ])
    expect(problems({ PORT: '70000' })).toEqual([
      'PORT must be a port number 1–65535, got "70000" (for example PORT=8080)',
    ])
    expect(problems({ ARCHIVES: 'maybe' })).toEqual([
      'ARCHIVES must be true or false, got "maybe" (for example ARCHIVES=true)',
    ])
    expect(problems({ LOG_LEVEL: 'loud' })[0]).toMatch(/^LOG_LEVEL must be one of .*got "loud"/)
    expect(problems({ SITE_URL: 'news.example.org' })).toEqual([
      'SITE_URL must be an absolute URL, got "news.example.org" (for example SITE_URL=https://news.example.org)',
    ])
    expect(problems({ FEEDWRIGHT_ADMIN_TOKEN: 'short' })).toEqual([
      // A secret is not repeated, even a wrong one.
      'FEEDWRIGHT_ADMIN_TOKEN must be at least 16 characters, got 5 characters (for example FEEDWRIGHT_ADMIN_TOKEN=$(openssl rand -hex 32))',
    ])
  })

  it('reports every mistake once, and nothing that only follows from one', () => {
    expect(problems({ PORT: 'abc', FEED_LIMIT: '0', METRICS: 'sometimes' })).toEqual([
      'PORT must be a port number 1–65535, got "abc" (for example PORT=8080)',
      'FEED_LIMIT must be a whole number of items 1–1000, got "0" (for example FEED_LIMIT=50)',
      'METRICS must be true or false, got "sometimes" (for example METRICS=false)',
    ])
  })

  it('names a file key with the file, what it holds and an example', () => {
    withFile({ port: 'abc', feedCron: 'hourly' })
    const path = join(dir.path, 'feedwright.config.json')
    expect(problems({})).toEqual([
      `${path}: "port" must be a port number 1–65535, got "abc" (for example "port": 8080)`,
      `${path}: "feedCron" must be a cron expression, got "hourly" (for example "feedCron": "*/5 * * * *")`,
    ])
  })

  it('refuses unknown keys anywhere in the file, naming the closest known key', () => {
    withFile({
      feedlimit: 20,
      Port: 8080,
      site: { titel: 'x' },
      websub: { atempts: 2 },
      customFeeds: [{ slug: 'a', title: 'A', description: 'd', include: { tag: ['x'] } }],
      colour: 'red',
    })
    const path = join(dir.path, 'feedwright.config.json')
    expect(problems({})).toEqual([
      `${path}: unknown key "feedlimit"; did you mean "feedLimit"?`,
      `${path}: unknown key "Port"; did you mean "port"?`,
      `${path}: unknown key "site.titel"; did you mean "site.title"?`,
      `${path}: unknown key "websub.atempts"; did you mean "websub.attempts"?`,
      `${path}: unknown key "customFeeds[0].include.tag"; did you mean "customFeeds[0].include.tags"?`,
      `${path}: unknown key "colour"`,
    ])
  })

  it('refuses a FEEDWRIGHT_CONFIG that names a missing file', () => {
    expect(problems({ FEEDWRIGHT_CONFIG: 'elsewhere.json' })).toEqual([
      `FEEDWRIGHT_CONFIG names ${join(dir.path, 'elsewhere.json')}, which does not exist; unset it to use ./feedwright.config.json, or point it at the file`,
    ])
  })
})

describe('explainConfig', () => {
  it('says where each value came from and masks secrets', () => {
    withFile({ feedLimit: 20 })
    const { values } = explainConfig(
      {
        PORT: '8080',
        FEEDWRIGHT_ADMIN_TOKEN: 'a'.repeat(32),
        DATABASE_URL: 'postgres://feed:hunter2@127.0.0.1/db',
      },
      dir.path,
    )
    const of = (key: string) => values.find((v) => v.key === key)
    expect(of('port')).toEqual({ key: 'port', value: 8080, source: 'environment', env: 'PORT' })
    expect(of('feedLimit')).toEqual({
      key: 'feedLimit',
      value: 20,
      source: 'file',
      env: 'FEED_LIMIT',
    })
    expect(of('feedPages')).toMatchObject({ value: 5, source: 'default' })
    expect(of('websub.attempts')).toMatchObject({ value: 6, source: 'default' })
    expect(of('adminToken')?.value).toBe('********')
    expect(of('metricsToken')).toEqual({
      key: 'metricsToken',
      value: undefined,
      source: 'default',
      env: 'METRICS_TOKEN',
    })
    expect(of('databaseUrl')?.value).toBe('postgres://feed:****@127.0.0.1/db')
    expect(JSON.stringify(values)).not.toMatch(/hunter2|aaaaaaaa/)
  })
})
