import { join } from 'node:path'
import { expect, it } from 'vitest'
import { openSqliteStore } from '../../src/store/sqlite.js'
import { makeArticle, tempDir } from '../helpers/fixtures.js'
import { storeContract } from './contract.js'

storeContract('SQLite file', async () => {
  const dir = await tempDir()
  return { store: openSqliteStore(join(dir.path, 'store.db')), cleanup: dir.cleanup }
})

it('keeps articles across reopening the same SQLite file', async () => {
  const dir = await tempDir()
  const path = join(dir.path, 'nested', 'store.db')
  const first = openSqliteStore(path)
  await first.upsert(makeArticle())
  await first.close()
  const second = openSqliteStore(path)
  expect((await second.get('test-article'))?.title).toBe('A test article')
  await second.close()
  await dir.cleanup()
})
