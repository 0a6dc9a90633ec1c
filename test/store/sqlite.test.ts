import { join } from 'node:path'
import Database from 'better-sqlite3'
import { expect, it } from 'vitest'
import { SQLITE_MIGRATIONS } from '../../src/store/migrations/sqlite.js'
import { openSqliteStore } from '../../src/store/sqlite.js'
import { makeArticle, tempDir } from '../helpers/fixtures.js'
import { articlesContract } from './articles-contract.js'
import { buildLogContract } from './build-log-contract.js'
import type { OpenStore } from './open-store.js'
import { subscriptionsContract } from './subscriptions-contract.js'

const open: OpenStore = async () => {
  const dir = await tempDir()
  return { store: openSqliteStore(join(dir.path, 'store.db')), cleanup: dir.cleanup }
}

articlesContract('SQLite file', open)
buildLogContract('SQLite file', open)
subscriptionsContract('SQLite file', open)

it('keeps articles across reopening the same SQLite file', async () => {
  const dir = await tempDir()
  const path = join(dir.path, 'nested', 'store.db')
  const first = openSqliteStore(path)
  await first.articles.upsert(makeArticle())
  await first.close()
  const second = openSqliteStore(path)
  expect((await second.articles.get('test-article'))?.title).toBe('A test article')
  await second.close()
  await dir.cleanup()
})

it('indexes the months of articles stored before months were indexed (migration 4)', async () => {
  const dir = await tempDir()
  const path = join(dir.path, 'old.db')
  const old = new Database(path)
  SQLITE_MIGRATIONS.slice(0, 3).forEach((step) => old.exec(step))
  old.pragma('user_version = 3')
  const article = makeArticle({ publishedAt: '2025-06-30T23:00:00Z' })
  old
    .prepare('INSERT INTO articles (id, published_at, updated_at, body) VALUES (?, ?, ?, ?)')
    .run(article.id, article.publishedAt, article.updatedAt, JSON.stringify(article))
  old.close()
  const store = openSqliteStore(path)
  expect(await store.articles.months()).toEqual([{ month: '2025-06', count: 1 }])
  expect(await store.articles.newestFor({ kind: 'month', slug: '2025-06' }, 5)).toEqual([article])
  await store.close()
  await dir.cleanup()
})
