// The articles in the PostgreSQL store: the same query shapes as SQLite; writes are set-based
// (postgres-writes.ts) and hold the write lock, so change markers commit in order.
import type { Article } from '../articles/schema.js'
import type { ArchiveMonth, ArticleStore, Cursor, Deletion, Facet, Selection } from './articles.js'
import type { PostgresDb, Query } from './postgres-connect.js'
import { placeArticles, removeArticle, writeArticles } from './postgres-writes.js'

// A cursor after every article: '~' sorts after any ISO timestamp and any slug in byte order.
const END: Cursor = { publishedAt: '~', id: '~' }

const parse = (row: { body: string }): Article => JSON.parse(row.body) as Article

const newest = async (query: Query, selection: Selection, limit: number, after: Cursor) =>
  (selection.kind === 'site'
    ? await query<{ body: string }>(
        'newestFor',
        `SELECT body FROM articles WHERE (published_at, id) < ($1, $2)
         ORDER BY published_at DESC, id DESC LIMIT $3`,
        [after.publishedAt, after.id, limit],
      )
    : await query<{ body: string }>(
        'newestFor',
        `SELECT a.body FROM article_facets f JOIN articles a ON a.id = f.article_id
         WHERE f.kind = $1 AND f.slug = $2 AND (f.published_at, f.article_id) < ($3, $4)
         ORDER BY f.published_at DESC, f.article_id DESC LIMIT $5`,
        [selection.kind, selection.slug, after.publishedAt, after.id, limit],
      )
  ).map(parse)

const deletions = (query: Query, selection: Selection, limit: number) =>
  selection.kind === 'site'
    ? query<Deletion>(
        'deletionsFor',
        `SELECT article_id AS id, deleted_at AS "deletedAt" FROM deletions
         ORDER BY deleted_at DESC, article_id DESC LIMIT $1`,
        [limit],
      )
    : query<Deletion>(
        'deletionsFor',
        `SELECT article_id AS id, deleted_at AS "deletedAt" FROM deleted_facets
         WHERE kind = $1 AND slug = $2 ORDER BY deleted_at DESC, article_id DESC LIMIT $3`,
        [selection.kind, selection.slug, limit],
      )

/** The writes of the contract, each one transaction under the write lock. */
const articleWrites = ({
  transaction,
}: PostgresDb): Pick<ArticleStore, 'upsert' | 'upsertMany' | 'delete' | 'releaseDue'> => ({
  upsert: async (article) =>
    transaction('upsert', false, async (c) => ({
      created: (await placeArticles(c, [article])).has(article.id),
    })),
  upsertMany: (articles) =>
    transaction('upsertMany', false, async (c) => void (await placeArticles(c, articles))),
  delete: (id, at) =>
    transaction(
      'delete',
      false,
      async (c) =>
        (await removeArticle(c, id, at.toISOString())) ||
        ((await c.query('DELETE FROM pending_articles WHERE id = $1', [id])).rowCount ?? 0) > 0,
    ),
  releaseDue: (now) =>
    transaction('releaseDue', false, async (c) => {
      const { rows } = await c.query<{ body: string }>(
        `DELETE FROM pending_articles WHERE due_at IS NOT NULL AND due_at <= $1 RETURNING body`,
        [now.toISOString()],
      )
      await writeArticles(c, rows.map(parse))
      return rows.length
    }),
})

/** The stored versions of many articles, live or kept aside, in one query. */
const getMany = async (db: PostgresDb, ids: readonly string[]): Promise<Map<string, Article>> => {
  const rows = await db.query<{ id: string; body: string }>(
    'getMany',
    `SELECT id, body FROM articles WHERE id = ANY($1)
     UNION ALL SELECT id, body FROM pending_articles WHERE id = ANY($1)`,
    [ids],
  )
  return new Map(rows.map((row) => [row.id, parse(row)]))
}

/** The articles over an open, migrated schema. */
export const postgresArticles = (db: PostgresDb): ArticleStore => {
  const { query } = db
  return {
    ...articleWrites(db),
    get: async (id) => {
      const [row] = await query<{ body: string }>(
        'get',
        `SELECT body FROM articles WHERE id = $1
         UNION ALL SELECT body FROM pending_articles WHERE id = $1 LIMIT 1`,
        [id],
      )
      return row && parse(row)
    },
    getMany: (ids) => getMany(db, ids),
    keptAside: async (limit) =>
      (
        await query<{ body: string }>(
          'keptAside',
          'SELECT body FROM pending_articles ORDER BY due_at NULLS LAST, id LIMIT $1',
          [limit],
        )
      ).map(parse),
    nextDue: async () =>
      (
        await query<{ due: string | null }>(
          'nextDue',
          'SELECT MIN(due_at) AS due FROM pending_articles WHERE due_at IS NOT NULL',
        )
      )[0]?.due ?? undefined,
    newestFor: (selection, limit, after = END) => newest(query, selection, limit, after),
    deletionsFor: (selection, limit) => deletions(query, selection, limit),
    facets: () =>
      query<Facet>(
        'facets',
        `SELECT kind, slug, label, count FROM facets WHERE count > 0 AND kind <> 'month'
         ORDER BY kind, slug`,
      ),
    months: () =>
      query<ArchiveMonth>(
        'months',
        `SELECT slug AS month, count FROM facets WHERE kind = 'month' AND count > 0 ORDER BY slug`,
      ),
    count: async () =>
      Number(
        (
          await query<{ n: string }>(
            'count',
            'SELECT (SELECT count(*) FROM articles) + (SELECT count(*) FROM pending_articles) AS n',
          )
        )[0]?.n,
      ),
  }
}
