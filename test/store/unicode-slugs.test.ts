// Facets named in other scripts, in both adapters: stored under their Unicode slugs, selected by
// them, and the same slugs in either store (the catalog and the feed paths come from them).
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { openPostgresStore } from '../../src/store/postgres.js'
import { openSqliteStore } from '../../src/store/sqlite.js'
import type { Store } from '../../src/store/store.js'
import { makeArticle, tempDir } from '../helpers/fixtures.js'
import {
  dropSchema,
  newSchema,
  postgresUnavailable,
  TEST_DATABASE_URL,
} from '../helpers/postgres.js'

type Open = () => Promise<{ store: Store; cleanup: () => Promise<void> }>

const sqlite: Open = async () => {
  const dir = await tempDir()
  return { store: openSqliteStore(join(dir.path, 'store.db')), cleanup: dir.cleanup }
}
const postgres: Open = async () => {
  const schema = newSchema()
  const store = await openPostgresStore({ connectionString: TEST_DATABASE_URL, schema })
  return { store, cleanup: () => dropSchema(schema) }
}
// PostgreSQL where a server answers (test/helpers/postgres.ts says why not, and CI requires it).
const ADAPTERS: Array<[string, Open]> = [
  ['SQLite', sqlite],
  ...(postgresUnavailable === undefined ? [['PostgreSQL', postgres] as [string, Open]] : []),
]

describe.each(ADAPTERS)('%s store: names in every script', (_name, open) => {
  it('indexes and selects articles by slugs in Chinese, Russian, Arabic and Greek', async () => {
    const { store, cleanup } = await open()
    try {
      await store.articles.upsert(
        makeArticle({
          id: 'four-scripts',
          authors: [{ name: '李明' }, { name: 'Иван Петров' }, { name: 'محمد' }],
          categories: ['Ελένη'],
          tags: ['R&D'],
        }),
      )
      const facets = (await store.articles.facets()).map((f) => `${f.kind}:${f.slug}:${f.label}`)
      expect(facets).toEqual(
        expect.arrayContaining([
          'author:李明:李明',
          'author:иван-петров:Иван Петров',
          'author:محمد:محمد',
          'category:ελένη:Ελένη',
          'tag:r-and-d:R&D',
        ]),
      )
      for (const [kind, slug] of [
        ['author', '李明'],
        ['author', 'иван-петров'],
        ['author', 'محمد'],
        ['category', 'ελένη'],
      ] as const) {
        const found = await store.articles.newestFor({ kind, slug }, 10)
        expect(found.map((a) => a.id)).toEqual(['four-scripts'])
      }
      const { touched } = await store.builds.changedSince(0)
      expect(touched).toContain('author:李明')
    } finally {
      await store.close()
      await cleanup()
    }
  })
})
