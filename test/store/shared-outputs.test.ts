// The SharedOutputs contract (store/shared-outputs.ts), run against its PostgreSQL adapter.
import { afterEach, describe, expect, it } from 'vitest'
import { openPostgresSharedOutputs } from '../../src/store/postgres-shared-outputs.js'
import { openPostgresStore } from '../../src/store/postgres.js'
import type { OutputToShare, SharedOutputs } from '../../src/store/shared-outputs.js'
import {
  dropSchema,
  newSchema,
  postgresUnavailable,
  TEST_DATABASE_URL,
} from '../helpers/postgres.js'

const UTF8 = new TextEncoder()

const output = (urlPath: string, text: string): OutputToShare => ({
  urlPath,
  feedKey: 'site',
  format: 'rss',
  contentType: 'application/rss+xml; charset=utf-8',
  body: UTF8.encode(text),
  etag: `"${text}"`,
  lastModified: new Date('2026-11-20T10:00:00Z'),
})

async function* each(...outputs: OutputToShare[]): AsyncGenerator<OutputToShare> {
  yield* outputs
}

const until = async (check: () => boolean, ms: number): Promise<void> => {
  const started = Date.now()
  while (!check()) {
    if (Date.now() - started > ms) throw new Error(`not within ${ms} ms`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

type Open = () => Promise<{ shared: () => SharedOutputs; cleanup: () => Promise<void> }>

const sharedOutputsContract = (name: string, open: Open) => {
  let cleanups: Array<() => Promise<void>> = []
  const start = async () => {
    const opened = await open()
    const instances = [opened.shared(), opened.shared()] as const
    cleanups.push(async () => {
      await Promise.all(instances.map((s) => s.close()))
      await opened.cleanup()
    })
    return instances
  }
  afterEach(async () => {
    for (const cleanup of cleanups) await cleanup()
    cleanups = []
  })

  describe(`${name} shared outputs`, () => {
    it('gives back what was published, in the order it was published, a page at a time', async () => {
      const [a] = await start()
      expect(await a.changedSince(0, 10)).toEqual([])
      await a.publish({ put: each(output('/feeds/rss.xml', 'one')), removed: [] })
      await a.publish({
        put: each(output('/feeds/atom.xml', 'two'), output('/feeds/feed.json', 'three')),
        removed: [],
      })
      const all = await a.changedSince(0, 10)
      expect(all.map((o) => o.urlPath)).toEqual([
        '/feeds/rss.xml',
        '/feeds/atom.xml',
        '/feeds/feed.json',
      ])
      const first = all[0]!
      expect(first).toEqual({
        ...output('/feeds/rss.xml', 'one'),
        version: first.version,
        removed: false,
      })
      const page = await a.changedSince(all[0]!.version, 1)
      expect(page.map((o) => o.urlPath)).toEqual(['/feeds/atom.xml'])
      expect(await a.changedSince(all[2]!.version, 10)).toEqual([])
    })

    it('keeps one version per path: a newer one replaces it, a removal is the last change', async () => {
      const [a] = await start()
      await a.publish({ put: each(output('/feeds/rss.xml', 'one')), removed: [] })
      await a.publish({ put: each(output('/feeds/rss.xml', 'two')), removed: [] })
      const [latest] = await a.changedSince(0, 10)
      expect(latest).toMatchObject({ urlPath: '/feeds/rss.xml', removed: false, etag: '"two"' })
      await a.publish({ put: each(), removed: ['/feeds/rss.xml'] })
      const changes = await a.changedSince(0, 10)
      expect(changes).toEqual([
        { urlPath: '/feeds/rss.xml', version: changes[0]!.version, removed: true },
      ])
      expect(changes[0]!.version).toBeGreaterThan(latest!.version)
    })

    it('publishes all or nothing', async () => {
      const [a] = await start()
      async function* failing(): AsyncGenerator<OutputToShare> {
        yield output('/feeds/rss.xml', 'one')
        throw new Error('the shelf could not be read')
      }
      await expect(a.publish({ put: failing(), removed: [] })).rejects.toThrow(/shelf/)
      expect(await a.changedSince(0, 10)).toEqual([])
    })

    it('tells the other instances once a publication is committed', async () => {
      const [a, b] = await start()
      let heard = 0
      const listening = await b.listen(() => (heard += 1))
      await a.publish({ put: each(output('/feeds/rss.xml', 'one')), removed: [] })
      await until(() => heard === 1, 2_000)
      await listening.close()
      await a.publish({ put: each(output('/feeds/rss.xml', 'two')), removed: [] })
      await new Promise((r) => setTimeout(r, 200))
      expect(heard).toBe(1)
    })
  })
}

describe.skipIf(postgresUnavailable !== undefined)('PostgreSQL', () => {
  sharedOutputsContract('PostgreSQL', async () => {
    const schema = newSchema()
    // The store's migrations create the table.
    const store = await openPostgresStore({ connectionString: TEST_DATABASE_URL, schema })
    await store.close()
    const options = { connectionString: TEST_DATABASE_URL, schema, onError: () => undefined }
    return { shared: () => openPostgresSharedOutputs(options), cleanup: () => dropSchema(schema) }
  })
})
