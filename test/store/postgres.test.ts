import { describe, expect, it } from 'vitest'
import pg from 'pg'
import { POSTGRES_MIGRATIONS } from '../../src/store/migrations/postgres.js'
import { openPostgresStore } from '../../src/store/postgres.js'
import { makeArticle } from '../helpers/fixtures.js'
import {
  dropSchema,
  newSchema,
  postgresUnavailable,
  TEST_DATABASE_URL,
} from '../helpers/postgres.js'
import { articlesContract } from './articles-contract.js'
import { buildLogContract } from './build-log-contract.js'
import type { OpenStore } from './open-store.js'
import { subscriptionsContract } from './subscriptions-contract.js'

const open: OpenStore = async () => {
  const schema = newSchema()
  const store = await openPostgresStore({ connectionString: TEST_DATABASE_URL, schema })
  return { store, cleanup: () => dropSchema(schema) }
}

describe.skipIf(postgresUnavailable !== undefined)('PostgreSQL store', () => {
  articlesContract('PostgreSQL', open)
  buildLogContract('PostgreSQL', open)
  subscriptionsContract('PostgreSQL', open)

  it('keeps the URL ids of a store that published before id schemes (migration 6)', async () => {
    const schema = newSchema()
    const client = new pg.Client({ connectionString: TEST_DATABASE_URL })
    await client.connect()
    try {
      // The schema as the release before id schemes left it: five steps, an article, a build.
      await client.query(`CREATE SCHEMA "${schema}"; SET search_path = "${schema}"`)
      await client.query(
        'CREATE TABLE schema_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())',
      )
      for (const [i, step] of POSTGRES_MIGRATIONS.slice(0, 5).entries()) {
        await client.query(step)
        await client.query('INSERT INTO schema_migrations (version) VALUES ($1)', [i + 1])
      }
      const article = makeArticle()
      await client.query(
        'INSERT INTO articles (id, published_at, updated_at, body) VALUES ($1, $2, $3, $4)',
        [article.id, article.publishedAt, article.updatedAt, JSON.stringify(article)],
      )
      await client.query("INSERT INTO build_state (name, value) VALUES ('built-marker', 1)")
    } finally {
      await client.end()
    }
    const store = await openPostgresStore({ connectionString: TEST_DATABASE_URL, schema })
    const proposal = (site: string) => ({
      fresh: { kind: 'tag' as const, authority: new URL(site).hostname, date: '2026-11-29' },
      legacy: { kind: 'url' as const, base: site },
    })
    const legacy = { kind: 'url', base: 'https://legacy.example.org' }
    expect(await store.builds.idScheme(proposal('https://legacy.example.org'))).toEqual(legacy)
    expect(await store.builds.idScheme(proposal('https://moved.example.net'))).toEqual(legacy)
    await store.close()
    await dropSchema(schema)
  })

  it('migrates once when several instances open an empty schema at the same time', async () => {
    const schema = newSchema()
    const stores = await Promise.all(
      Array.from({ length: 4 }, () =>
        openPostgresStore({ connectionString: TEST_DATABASE_URL, schema }),
      ),
    )
    await stores[0]!.articles.upsert(makeArticle())
    expect((await stores[3]!.articles.get('test-article'))?.title).toBe('A test article')
    await Promise.all(stores.map((s) => s.close()))
    await dropSchema(schema)
  })

  it('keeps change markers in commit order under concurrent writers', async () => {
    const { store, cleanup } = await open()
    const writers = Array.from({ length: 20 }, (_, i) =>
      store.articles.upsert(makeArticle({ id: `w-${i}`, categories: [`Cat ${i % 3}`] })),
    )
    let marker = 0
    const seen = new Set<string>()
    // A reader polling while writers commit must never skip a change.
    const reader = (async () => {
      for (let i = 0; i < 30; i += 1) {
        const changes = await store.builds.changedSince(marker)
        for (const key of changes.touched) seen.add(key)
        marker = changes.marker
      }
    })()
    await Promise.all([...writers, reader])
    const rest = await store.builds.changedSince(marker)
    for (const key of rest.touched) seen.add(key)
    expect([...seen].filter((k) => k.startsWith('category:')).sort()).toEqual([
      'category:cat-0',
      'category:cat-1',
      'category:cat-2',
    ])
    expect(await store.articles.count()).toBe(20)
    await store.close()
    await cleanup()
  })
})
