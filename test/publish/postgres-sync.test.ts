import { join } from 'node:path'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { makeOutput, createPublishedOutputs } from '../../src/publish/outputs.js'
import {
  openPostgresOutputSync,
  type OutputSync,
  shareBuilds,
} from '../../src/publish/postgres-sync.js'
import { openShelf } from '../../src/publish/shelf.js'
import { openPostgresStore } from '../../src/store/postgres.js'
import type { Store } from '../../src/store/store.js'
import { tempDir } from '../helpers/fixtures.js'
import {
  dropSchema,
  newSchema,
  postgresUnavailable,
  TEST_DATABASE_URL,
} from '../helpers/postgres.js'

const until = async (check: () => boolean, ms: number): Promise<number> => {
  const started = Date.now()
  while (!check()) {
    if (Date.now() - started > ms) throw new Error(`not within ${ms} ms`)
    await new Promise((r) => setTimeout(r, 20))
  }
  return Date.now() - started
}

const output = (path: string, text: string) =>
  makeOutput({
    urlPath: path,
    feedKey: 'site',
    format: 'rss',
    text,
    updated: new Date('2026-11-20T00:00:00Z'),
  })

describe.skipIf(postgresUnavailable !== undefined)('outputs shared through PostgreSQL', () => {
  const schema = newSchema()
  let dir: Awaited<ReturnType<typeof tempDir>>
  let store: Store
  const syncs: OutputSync[] = []

  beforeAll(async () => {
    dir = await tempDir()
    store = await openPostgresStore({ connectionString: TEST_DATABASE_URL, schema }) // creates the tables
  })
  afterAll(async () => {
    await Promise.all(syncs.map((s) => s.close()))
    await store.close()
    await dropSchema(schema)
    await dir.cleanup()
  })

  const open = async (name: string, pollMs: number) => {
    const outputs = createPublishedOutputs()
    const sync = await openPostgresOutputSync({
      connectionString: TEST_DATABASE_URL,
      schema,
      outputs,
      feedsDir: join(dir.path, name),
      pollMs,
      onError: (error) => {
        throw error
      },
    })
    syncs.push(sync)
    return { outputs, sync }
  }

  it('delivers a publication to another instance within a second by NOTIFY', async () => {
    const a = await open('a', 60_000)
    const b = await open('b', 60_000)
    const published = output('/feeds/rss.xml', '<rss>one</rss>')
    await a.sync.publish({ put: [published], removed: [] })
    const took = await until(() => b.outputs.get('/feeds/rss.xml')?.etag === published.etag, 1_000)
    expect(took).toBeLessThan(1_000)
    expect(Buffer.from(b.outputs.get('/feeds/rss.xml')!.body).toString()).toBe('<rss>one</rss>')
    await a.sync.publish({ put: [], removed: ['/feeds/rss.xml'] })
    await until(() => b.outputs.get('/feeds/rss.xml') === undefined, 1_000)
  })

  it('puts a stable page another instance shared on the shelf, not in memory', async () => {
    const a = await open('d', 60_000)
    const feedsDir = join(dir.path, 'e')
    const shelf = await openShelf(feedsDir)
    const outputs = createPublishedOutputs()
    const sync = await openPostgresOutputSync({
      connectionString: TEST_DATABASE_URL,
      schema,
      outputs,
      feedsDir,
      shelf,
      pollMs: 60_000,
      onError: (error) => {
        throw error
      },
    })
    syncs.push(sync)
    const page = output('/feeds/tags/nasa/stable/2/rss.xml', '<rss>page two</rss>')
    await a.sync.publish({ put: [page], removed: [] })
    await until(() => shelf.get(page.urlPath)?.etag === page.etag, 1_000)
    expect(outputs.get(page.urlPath)).toBeUndefined()
    const bytes = await shelf.read(shelf.get(page.urlPath)!, 'identity')
    expect(Buffer.from(bytes).toString()).toBe('<rss>page two</rss>')
    await a.sync.publish({ put: [], removed: [page.urlPath] })
    await until(() => shelf.get(page.urlPath) === undefined, 1_000)
  })

  it('catches a missed notification with the periodic check', async () => {
    const c = await open('c', 200)
    const db = new pg.Client({ connectionString: TEST_DATABASE_URL })
    await db.connect()
    try {
      // Written without NOTIFY, as if the notification had been lost.
      await db.query(
        `INSERT INTO "${schema}".published_outputs
           (url_path, version, feed_key, format, content_type, body, etag, last_modified)
         VALUES ('/feeds/atom.xml', nextval('"${schema}".output_versions'), 'site', 'atom',
                 'application/atom+xml; charset=utf-8', 'x', '"quiet"', now())`,
      )
    } finally {
      await db.end()
    }
    await until(() => c.outputs.get('/feeds/atom.xml')?.etag === '"quiet"', 2_000)
  })
})

describe('builds sharing their outputs', () => {
  it('load before the build, call the shelf current, and send again what failed to go out', async () => {
    const sent: Array<{ put: string[]; removed: readonly string[] }> = []
    let loads = 0
    let failNext = true
    const sync: OutputSync = {
      load: async () => ++loads,
      publish: async ({ put, removed }) => {
        if (failNext) {
          failNext = false
          throw new Error('the database is away')
        }
        sent.push({ put: put.map((o) => o.urlPath), removed })
      },
      close: async () => undefined,
    }
    const hooks = shareBuilds(sync)
    expect(await hooks.beforePlan()).toEqual({ shelfCurrent: true })
    expect(loads).toBe(1)
    const first = output('/feeds/rss.xml', '<rss>one</rss>')
    await expect(hooks.afterPublish({ put: [first], removed: [] })).rejects.toThrow(/away/)
    // The next build changed another feed only: the first goes out with it, once.
    const second = output('/feeds/atom.xml', '<feed/>')
    await hooks.afterPublish({ put: [second, first], removed: ['/feeds/gone/rss.xml'] })
    expect(sent).toEqual([
      { put: ['/feeds/rss.xml', '/feeds/atom.xml'], removed: ['/feeds/gone/rss.xml'] },
    ])
    await hooks.afterPublish({ put: [], removed: [] })
    expect(sent.at(-1)).toEqual({ put: [], removed: [] })
  })
})
