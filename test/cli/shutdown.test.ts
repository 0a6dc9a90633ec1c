// SIGTERM to the real `feedwright serve` process (dist/, as `npm start` runs it) while a large
// archive build is in progress: it exits 0 within the bound and what it published stays consistent.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { connect, type Socket } from 'node:net'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openSqliteStore } from '../../src/store/sqlite.js'
import { syntheticBatches } from '../../bench/synthetic.js'
import { tempDir } from '../helpers/fixtures.js'
import { buildLines, serve } from '../helpers/cli-serve.js'
import { until } from '../helpers/service.js'

// 30,000 articles, 48 a day: 21 monthly archives of ~1,460 items each, seconds to render.
const ARTICLES = 30_000
const EXIT_BOUND_MS = 10_000

/** How many archive months have their RSS file on disk (the synthetic history's start may move). */
const archiveFeedsWritten = (feeds: string): number =>
  existsSync(join(feeds, 'archive'))
    ? readdirSync(join(feeds, 'archive'), { recursive: true, encoding: 'utf8' }).filter((f) =>
        /^\d{4}[/\\]\d{2}[/\\]rss\.xml$/.test(f),
      ).length
    : 0

interface Manifest {
  basis: { marker: number }
  outputs: Array<{ urlPath: string }>
}

const readManifest = (feeds: string): Manifest =>
  JSON.parse(readFileSync(join(feeds, 'archive', 'manifest.json'), 'utf8')) as Manifest

describe('SIGTERM during a large archive build', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>
  beforeAll(async () => {
    dir = await tempDir()
    writeFileSync(
      join(dir.path, 'feedwright.config.json'),
      // One archive document per month (a synthetic month is ~1,460 articles of ~1.5 KB, more
      // than the default bounds), so that the counts below are months.
      JSON.stringify({
        site: { title: 'Shutdown test', description: 'Many months' },
        archiveDocumentItems: 5_000,
        archiveDocumentBytes: 67_108_864,
      }),
    )
    const store = openSqliteStore(join(dir.path, 'data', 'feedwright.db'))
    for (const batch of syntheticBatches(0, ARTICLES)) await store.articles.upsertMany(batch)
    await store.close()
  }, 120_000)
  afterAll(() => dir.cleanup())

  it('exits 0 within 10 s, cut at an archive month; the next start finishes the rest', async () => {
    const feeds = join(dir.path, 'feeds')
    const first = serve(dir.path)
    try {
      // The start-up build publishes the feeds and leaves the archive to the next build.
      await until(
        'the service serves',
        () => first.lines.some((l) => l.msg.startsWith('serving on')),
        60_000,
      )
      const startup = buildLines(first.lines)[0]!
      const months = startup.archiveMonthsDeferred as number
      expect(months).toBeGreaterThan(15)
      // The archive build is under way once its first months are on disk.
      await until('archive months are being written', () => archiveFeedsWritten(feeds) >= 2)
      expect(buildLines(first.lines)).toHaveLength(1)
      const signalled = performance.now()
      first.child.kill('SIGTERM')
      const { code, at } = await first.exited
      const stopMs = at - signalled
      expect(code, first.stderr()).toBe(0)
      expect(stopMs).toBeLessThan(EXIT_BOUND_MS)
      const cut = buildLines(first.lines)[1]!
      expect(cut).toMatchObject({ interrupted: true, failed: 0 })
      const rendered = cut.archiveMonths as number
      expect(rendered).toBeGreaterThan(0)
      expect(rendered).toBeLessThan(months)
      expect(first.lines.at(-1)?.msg).toMatch(/^stopped in \d+ ms$/)

      // Consistent: every archive document the manifest lists is on disk in its three codings.
      const manifest = readManifest(feeds)
      expect(manifest.basis.marker).toBeGreaterThan(0)
      for (const { urlPath } of manifest.outputs) {
        const file = join(feeds, urlPath.slice('/feeds/'.length))
        for (const suffix of ['', '.gz', '.br'])
          expect(existsSync(`${file.endsWith('/') ? `${file}index.html` : file}${suffix}`)).toBe(
            true,
          )
      }
      expect(existsSync(join(feeds, 'rss.xml'))).toBe(true)
    } finally {
      first.child.kill('SIGKILL')
    }

    // The next start renders only the months left, then stops cleanly as well.
    const second = serve(dir.path)
    try {
      await until(
        'the months left are rendered',
        () => buildLines(second.lines).some((l) => (l.archiveMonths as number) > 0),
        120_000,
      )
      const cut = buildLines(first.lines)[1]!
      const finishing = buildLines(second.lines).find((l) => (l.archiveMonths as number) > 0)!
      expect(finishing.interrupted).toBeUndefined()
      const months = buildLines(first.lines)[0]!.archiveMonthsDeferred as number
      expect(finishing.archiveMonths).toBe(months - (cut.archiveMonths as number))
      // Each month: three formats and a page for people (the shelf holds the stable pages too).
      const archived = readManifest(feeds).outputs.filter((o) =>
        o.urlPath.startsWith('/feeds/archive/'),
      )
      expect(archived).toHaveLength(months * 4)
      second.child.kill('SIGTERM')
      expect((await second.exited).code).toBe(0)
    } finally {
      second.child.kill('SIGKILL')
    }
  }, 240_000)
})

describe('SIGTERM with idle and slow connections open', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>
  beforeAll(async () => {
    dir = await tempDir()
    writeFileSync(join(dir.path, 'feedwright.config.json'), JSON.stringify({ archives: false }))
  })
  afterAll(() => dir.cleanup())

  it('finishes a request in flight, closes idle and slow connections, exits 0 within the bound', async () => {
    const token = 'shutdown-admin-token-0123'
    const service = serve(dir.path, { FEEDWRIGHT_ADMIN_TOKEN: token })
    try {
      await until('the service serves', () =>
        service.lines.some((l) => l.msg.startsWith('serving on')),
      )
      const url = new URL(service.lines.find((l) => l.msg.startsWith('serving on'))!.url as string)
      const open = (): Promise<Socket> =>
        new Promise((done, fail) => {
          const socket = connect(Number(url.port), url.hostname, () => done(socket))
          socket.once('error', fail)
        })
      // Idle: a keep-alive connection whose request was answered.
      const idle = await open()
      idle.write(`GET /healthz HTTP/1.1\r\nHost: ${url.host}\r\n\r\n`)
      await new Promise((done) => idle.once('data', done))
      // Slow: a request whose headers never end.
      const slow = await open()
      slow.write(`GET /feeds/rss.xml HTTP/1.1\r\nHost: ${url.host}\r\nX-Slow: `)
      const closedByServer = (socket: Socket) =>
        new Promise<void>((done) => {
          socket.on('error', () => undefined)
          socket.once('close', () => done())
        })
      const idleClosed = closedByServer(idle)
      const slowClosed = closedByServer(slow)
      // In flight: an article whose body is half sent when the signal comes.
      const body = JSON.stringify({
        id: 'sent-during-shutdown',
        title: 'Sent during shutdown',
        summary: 'Its request was in flight.',
        contentHtml: '<p>Body.</p>',
        url: 'https://news.example.org/sent-during-shutdown',
        authors: [{ name: 'Late Writer' }],
        publishedAt: '2026-11-20T10:00:00Z',
        categories: ['Space'],
      })
      const inFlight = await open()
      let answer = ''
      inFlight.on('data', (chunk: Buffer) => (answer += chunk.toString('utf8')))
      const answered = closedByServer(inFlight)
      const half = Math.floor(body.length / 2)
      inFlight.write(
        `POST /api/articles HTTP/1.1\r\nHost: ${url.host}\r\nAuthorization: Bearer ${token}\r\n` +
          `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n` +
          body.slice(0, half),
      )
      await new Promise((resolve) => setTimeout(resolve, 100))

      const signalled = performance.now()
      service.child.kill('SIGTERM')
      await new Promise((resolve) => setTimeout(resolve, 300))
      inFlight.end(body.slice(half))
      const { code, at } = await service.exited
      expect(code, service.stderr()).toBe(0)
      expect(at - signalled).toBeLessThan(EXIT_BOUND_MS)
      await Promise.all([idleClosed, slowClosed, answered])
      expect(answer).toMatch(/^HTTP\/1\.1 201 /)
    } finally {
      service.child.kill('SIGKILL')
    }
  }, 60_000)
})

describe('SIGINT', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>
  beforeAll(async () => {
    dir = await tempDir()
    writeFileSync(join(dir.path, 'feedwright.config.json'), JSON.stringify({ archives: false }))
  })
  afterAll(() => dir.cleanup())

  it('stops the service as SIGTERM does (Ctrl-C in a terminal)', async () => {
    const service = serve(dir.path)
    try {
      await until('the service serves', () =>
        service.lines.some((l) => l.msg.startsWith('serving on')),
      )
      service.child.kill('SIGINT')
      expect((await service.exited).code, service.stderr()).toBe(0)
      expect(service.lines.map((l) => l.msg)).toContain('SIGINT: stopping')
      expect(service.lines.at(-1)?.msg).toMatch(/^stopped in \d+ ms$/)
    } finally {
      service.child.kill('SIGKILL')
    }
  }, 60_000)
})
