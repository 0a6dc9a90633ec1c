// Several real feedwright servers (child processes) on one PostgreSQL database behave as one service.
import { type ChildProcess, spawn } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { tempDir } from '../helpers/fixtures.js'
import { until } from '../helpers/service.js'
import {
  dropSchema,
  newSchema,
  postgresUnavailable,
  TEST_DATABASE_URL,
} from '../helpers/postgres.js'

const CLI = resolve(import.meta.dirname, '../../dist/cli.js')
const TOKEN = 'multi-instance-token-0123456789'

interface Instance {
  name: string
  url: string
  child: ChildProcess
  output: string[]
}

let dir: Awaited<ReturnType<typeof tempDir>>
const schema = newSchema()
const instances: Instance[] = []

/** Starts `feedwright serve` in a child process and resolves with its URL once it listens. */
const startInstance = (name: string): Promise<Instance> =>
  new Promise((done, fail) => {
    const child = spawn(process.execPath, [CLI, 'serve'], {
      cwd: dir.path,
      env: {
        PATH: process.env.PATH,
        PORT: '0',
        SITE_URL: 'https://multi.example.org',
        DATABASE_URL: TEST_DATABASE_URL,
        DATABASE_SCHEMA: schema,
        DATA_DIR: join(dir.path, name, 'data'),
        FEEDS_DIR: join(dir.path, name, 'feeds'),
        FEEDWRIGHT_ADMIN_TOKEN: TOKEN,
        REBUILD_DEBOUNCE_MS: '200',
        FEED_CRON: '0 0 1 1 *',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    const output: string[] = []
    const timer = setTimeout(
      () => fail(new Error(`${name} did not start:\n${output.join('')}`)),
      20_000,
    )
    const onData = (chunk: Buffer) => {
      output.push(chunk.toString())
      const match = /serving on (http:\/\/\S+)/.exec(output.join(''))
      if (match) {
        clearTimeout(timer)
        const instance = { name, url: match[1]!, child, output }
        instances.push(instance)
        done(instance)
      }
    }
    child.stdout.on('data', onData)
    child.stderr.on('data', (chunk: Buffer) => output.push(chunk.toString()))
    child.on('exit', (code) => output.push(`\n[exited ${code}]`))
  })

const named = (name: string): Instance => instances.find((i) => i.name === name)!

const get = (instance: Instance, path: string) => fetch(`${instance.url}${path}`)
const admin = (instance: Instance, method: string, path: string, body?: unknown) =>
  fetch(`${instance.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  })

const article = (id: string, extra: Record<string, unknown> = {}) => ({
  id,
  title: `Multi ${id}`,
  summary: 'Written through one instance.',
  contentHtml: '<p>Body.</p>',
  url: `https://multi.example.org/${id}`,
  authors: [{ name: 'Many Hands' }],
  publishedAt: '2026-11-24T12:00:00Z',
  categories: ['Space'],
  ...extra,
})

const etagOf = async (instance: Instance, path: string) =>
  (await get(instance, path)).headers.get('etag')

describe.skipIf(postgresUnavailable !== undefined)(
  'several instances on one PostgreSQL database',
  () => {
    beforeAll(async () => {
      dir = await tempDir()
      // The instances seed the shared store from the demo's articles, as the demo config does.
      writeFileSync(
        join(dir.path, 'feedwright.config.json'),
        JSON.stringify({ seedFrom: resolve(import.meta.dirname, '../../fixtures/articles') }),
      )
    })
    afterAll(async () => {
      for (const i of instances) i.child.kill('SIGKILL')
      if (process.env.SHOW_INSTANCE_OUTPUT)
        for (const i of instances) console.log(i.name, i.output.join('').slice(-3000))
      await dropSchema(schema)
      await dir.cleanup()
    })

    it('start at once on an empty database (migrations race-free) and serve the same bytes', async () => {
      const [a, b] = await Promise.all([startInstance('a'), startInstance('b')])
      // One of them built everything; the other waited for the build lock and found nothing to do.
      const full = [a, b].filter((i) => /build \d+ \(full\)/.test(i.output.join('')))
      expect(full).toHaveLength(1)
      await until('both serve the site feed with one ETag', async () => {
        const [ea, eb] = [await etagOf(a!, '/feeds/rss.xml'), await etagOf(b!, '/feeds/rss.xml')]
        return ea !== null && ea === eb
      })
    })

    it('a write through one instance reaches every instance with the same ETag', async () => {
      const [a, b] = [named('a'), named('b')]
      const c = await startInstance('c')
      expect(c.output.join('')).toContain('outputs published by other instances')
      expect(c.output.join('')).not.toMatch(/build \d+ \(full\)/)
      // A second archive month, built by a, then a write built by b: b's shelf got a's archive
      // through PostgreSQL, so b renders only the month its write touched.
      const september = article('via-a-september', { publishedAt: '2026-09-15T12:00:00Z' })
      expect((await admin(a!, 'PUT', '/api/articles/via-a-september', september)).status).toBe(201)
      await until('every instance serves the September archive', async () =>
        (
          await Promise.all([a!, b!, c].map((i) => get(i, '/feeds/archive/2026/09/atom.xml')))
        ).every((r) => r.status === 200),
      )
      const before = await etagOf(a!, '/feeds/categories/space/atom.xml')
      expect((await admin(b!, 'PUT', '/api/articles/via-b', article('via-b'))).status).toBe(201)
      await until('all three serve the new article', async () => {
        const bodies = await Promise.all(
          [a!, b!, c].map(async (i) => (await get(i, '/feeds/atom.xml')).text()),
        )
        return bodies.every((body) => body.includes(':articles/via-b'))
      })
      const spaceEtags = () =>
        Promise.all([a!, b!, c].map((i) => etagOf(i, '/feeds/categories/space/atom.xml')))
      await until('all three serve one category feed with one ETag', async () => {
        return new Set(await spaceEtags()).size === 1
      })
      const etags = await spaceEtags()
      expect(etags[0]).not.toBe(before)
      // Archives travel too, to each instance's own shelf (files on its disk).
      const archive = '/feeds/archive/2026/11/atom.xml'
      await until('all three serve the month archive with the new article', async () => {
        const bodies = await Promise.all(
          [a!, b!, c].map(async (i) => (await get(i, archive)).text()),
        )
        return bodies.every((body) => body.includes(':articles/via-b'))
      })
      // A shelved document's bytes are read from its file, its ETag from memory: under load an
      // instance may serve the new file a moment before it records the new ETag.
      await until('all three serve the month archive with one ETag', async () => {
        return new Set(await Promise.all([a!, b!, c].map((i) => etagOf(i, archive)))).size === 1
      })
      const report = (await (await admin(b!, 'GET', '/api/builds/latest')).json()) as {
        archiveMonths: number
      }
      expect(report.archiveMonths).toBe(1)
    })

    it('another instance takes over the build when the one holding the build lock is killed', async () => {
      const [a, b, c] = [named('a'), named('b'), named('c')]
      // Enough feeds that a full build takes a while, so it can be caught holding the lock.
      const many = Array.from({ length: 400 }, (_, i) =>
        article(`bulk-${i}`, { categories: [`Topic ${i % 150}`] }),
      )
      expect((await admin(a!, 'POST', '/api/articles/batch', many)).status).toBe(200)
      await until(
        'bulk articles built',
        async () => (await get(b!, '/feeds/categories/topic-149/rss.xml')).ok,
        30_000,
      )
      const db = new pg.Client({ connectionString: TEST_DATABASE_URL })
      await db.connect()
      const lockHeld = async () =>
        (
          await db.query(
            `SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND granted
           AND objid::bigint = (hashtext($1)::bigint & 4294967295)`,
            [`${schema}:feedwright-build`],
          )
        ).rows[0].n > 0
      try {
        expect((await admin(a!, 'POST', '/api/rebuild', { full: true })).status).toBe(202)
        await until('a holds the build lock', lockHeld, 5_000)
        a!.child.kill('SIGKILL')
        await until('the lock is released when a dies', async () => !(await lockHeld()), 10_000)
      } finally {
        await db.end()
      }
      expect(
        (
          await admin(
            b!,
            'PUT',
            '/api/articles/after-kill',
            article('after-kill', { publishedAt: '2026-11-25T00:00:00Z' }),
          )
        ).status,
      ).toBe(201)
      await until('b builds the next change', async () =>
        (await (await get(b!, '/feeds/atom.xml')).text()).includes(':articles/after-kill'),
      )
      await until(
        'c serves it too',
        async () => (await etagOf(c, '/feeds/atom.xml')) === (await etagOf(b!, '/feeds/atom.xml')),
      )
    })
  },
)
