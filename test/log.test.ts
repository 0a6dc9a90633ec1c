import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createLogger, prettyLine } from '../src/log.js'
import { startService, type Service } from '../src/service.js'
import { tempDir, testConfig } from './helpers/fixtures.js'

const capture = (level: 'info' | 'debug', pretty = false) => {
  const lines: string[] = []
  const log = createLogger({ level, pretty, write: (line) => void lines.push(line) })
  return { log, lines, json: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) }
}

describe('createLogger', () => {
  it('writes JSON lines with time, level, message and fields', () => {
    const { log, json } = capture('info')
    log.info('build 3: 22 feeds', { build: 3, published: 12 })
    expect(json()).toEqual([
      {
        level: 'info',
        time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
        pid: process.pid,
        build: 3,
        published: 12,
        msg: 'build 3: 22 feeds',
      },
    ])
  })

  it("gives an error's message and causes, and its stack only at debug", () => {
    const error = new Error('store/sqlite: insert failed', { cause: new Error('disk full') })
    const info = capture('info')
    info.log.error('build failed', error)
    expect(info.json()[0]).toMatchObject({
      level: 'error',
      msg: 'build failed',
      error: 'store/sqlite: insert failed: disk full',
    })
    expect(info.json()[0]).not.toHaveProperty('stack')
    const debug = capture('debug')
    debug.log.error('build failed', error)
    expect(debug.json()[0]?.stack).toMatch(/^Error: store\/sqlite: insert failed\n\s+at /)
  })

  it('leaves out what is below its level', () => {
    const { log, lines } = capture('info')
    log.debug?.('not shown')
    expect(lines).toEqual([])
  })

  it('writes readable lines for a terminal', () => {
    const { log, lines } = capture('info', true)
    log.info('serving on http://127.0.0.1:3000', { url: 'http://127.0.0.1:3000' })
    expect(lines[0]).toMatch(
      /^\d\d:\d\d:\d\d\.\d{3} INFO  serving on http:\/\/127\.0\.0\.1:3000 {2}url=http:\/\/127\.0\.0\.1:3000\n$/,
    )
    expect(
      prettyLine('{"level":"error","time":"2026-11-29T18:00:00.000Z","msg":"x","failed":2}'),
    ).toBe('18:00:00.000 ERROR x  failed=2\n')
  })
})

describe('the service log', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>
  let service: Service
  const { log, json } = capture('info')
  beforeAll(async () => {
    dir = await tempDir()
    service = await startService(
      testConfig(dir.path, { ACCESS_LOG: 'true', ARCHIVES: 'false' }),
      log,
    )
  })
  afterAll(async () => {
    await service.close()
    await dir.cleanup()
  })

  it('writes one line per build, with its figures', () => {
    const builds = json().filter((l) => typeof l.build === 'number')
    expect(builds).toHaveLength(1)
    const report = service.lastBuild()!
    expect(builds[0]).toMatchObject({
      level: 'info',
      build: report.id,
      full: true,
      feeds: report.feeds,
      rendered: report.rendered,
      published: report.published,
      unchanged: 0,
      removed: 0,
      failed: 0,
      durationMs: Math.round(report.durationMs),
      msg: expect.stringMatching(/^build \d+ \(full\): \d+ feeds, \d+ outputs rendered/),
    })
  })

  it('writes an access-log line per request when ACCESS_LOG=true', async () => {
    const response = await fetch(`${service.url}/feeds/atom.xml?x=1`, {
      headers: { 'accept-encoding': 'br' },
    })
    const body = await response.arrayBuffer()
    expect(response.status).toBe(200)
    const access = json().filter((l) => l.msg === 'request')
    expect(access).toEqual([
      expect.objectContaining({
        level: 'info',
        method: 'GET',
        path: '/feeds/atom.xml',
        status: 200,
        encoding: 'br',
        durationMs: expect.any(Number),
      }),
    ])
    // Brotli bytes on the wire: fewer than the decoded body fetch hands back.
    expect(access[0]?.bytes).toBeGreaterThan(0)
    expect(access[0]?.bytes).toBeLessThan(body.byteLength)
  })
})
