import { describe, expect, it } from 'vitest'
import { openPostgresStore } from '../../src/store/postgres.js'
import { makeArticle } from '../helpers/fixtures.js'
import {
  dropSchema,
  newSchema,
  postgresUnavailable,
  TEST_DATABASE_URL,
} from '../helpers/postgres.js'
import { storeContract } from './contract.js'

const open = async () => {
  const schema = newSchema()
  const store = await openPostgresStore({ connectionString: TEST_DATABASE_URL, schema })
  return { store, cleanup: () => dropSchema(schema) }
}

describe.skipIf(postgresUnavailable !== undefined)('PostgreSQL store', () => {
  storeContract('PostgreSQL', open)

  it('migrates once when several instances open an empty schema at the same time', async () => {
    const schema = newSchema()
    const stores = await Promise.all(
      Array.from({ length: 4 }, () =>
        openPostgresStore({ connectionString: TEST_DATABASE_URL, schema }),
      ),
    )
    await stores[0]!.upsert(makeArticle())
    expect((await stores[3]!.get('test-article'))?.title).toBe('A test article')
    await Promise.all(stores.map((s) => s.close()))
    await dropSchema(schema)
  })

  it('keeps change markers in commit order under concurrent writers', async () => {
    const { store, cleanup } = await open()
    const writers = Array.from({ length: 20 }, (_, i) =>
      store.upsert(makeArticle({ id: `w-${i}`, categories: [`Cat ${i % 3}`] })),
    )
    let marker = 0
    const seen = new Set<string>()
    // A reader polling while writers commit must never skip a change.
    const reader = (async () => {
      for (let i = 0; i < 30; i += 1) {
        const changes = await store.changedSince(marker)
        for (const key of changes.touched) seen.add(key)
        marker = changes.marker
      }
    })()
    await Promise.all([...writers, reader])
    const rest = await store.changedSince(marker)
    for (const key of rest.touched) seen.add(key)
    expect([...seen].filter((k) => k.startsWith('category:')).sort()).toEqual([
      'category:cat-0',
      'category:cat-1',
      'category:cat-2',
    ])
    expect(await store.count()).toBe(20)
    await store.close()
    await cleanup()
  })
})
