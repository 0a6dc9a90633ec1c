// A real SQLite store in a temporary directory, fresh for each test of a file.
import { join } from 'node:path'
import { afterEach, beforeEach } from 'vitest'
import { openSqliteStore } from '../../src/store/sqlite.js'
import type { Article } from '../../src/articles/schema.js'
import type { Store } from '../../src/store/store.js'
import { tempDir } from './fixtures.js'

/**
 * Registers beforeEach/afterEach hooks that open a new SQLite store file for each test (holding
 * what `seed` gives, if anything) and close and remove it after; returns a getter for it (valid
 * inside tests).
 */
export const useSqliteStore = (seed?: () => Promise<Article[]>): (() => Store) => {
  let dir: Awaited<ReturnType<typeof tempDir>> | undefined
  let store: Store | undefined
  beforeEach(async () => {
    dir = await tempDir()
    store = openSqliteStore(join(dir.path, 'store.db'))
    if (seed) await store.articles.upsertMany(await seed())
  })
  afterEach(async () => {
    await store?.close()
    await dir?.cleanup()
  })
  return () => {
    if (!store) throw new Error('useSqliteStore: the store is only open inside tests')
    return store
  }
}
