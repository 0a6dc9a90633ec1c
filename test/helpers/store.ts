// A real SQLite store in a temporary directory, fresh for each test of a file.
import { join } from 'node:path'
import { afterEach, beforeEach } from 'vitest'
import { openSqliteStore } from '../../src/store/sqlite.js'
import type { Store } from '../../src/store/store.js'
import { tempDir } from './fixtures.js'

/**
 * Registers beforeEach/afterEach hooks that open a new SQLite store file for each test and close
 * and remove it after; returns a getter for it (valid inside tests).
 */
export const useSqliteStore = (): (() => Store) => {
  let dir: Awaited<ReturnType<typeof tempDir>> | undefined
  let store: Store | undefined
  beforeEach(async () => {
    dir = await tempDir()
    store = openSqliteStore(join(dir.path, 'store.db'))
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
