// The writes of the PostgreSQL adapter: set-based statements, so a batch of thousands of articles
// costs a dozen round trips, not a dozen per article. Callers hold the write lock in a transaction.
import type pg from 'pg'
import { dueAt, isDue } from '../articles/schedule.js'
import type { Article } from '../articles/schema.js'
import { articleIndexes } from './articles.js'

export type Ref = { kind: string; slug: string }
type Client = pg.PoolClient

/** Groups facet references with how often each occurs (first label kept), for set-based updates. */
const tally = (refs: Array<Ref & { label?: string }>) => {
  const grouped = new Map<string, Ref & { label: string; n: number }>()
  for (const r of refs) {
    const key = `${r.kind}:${r.slug}`
    const entry = grouped.get(key)
    if (entry) entry.n += 1
    else grouped.set(key, { kind: r.kind, slug: r.slug, label: r.label ?? r.slug, n: 1 })
  }
  const rows = [...grouped.values()]
  return {
    kinds: rows.map((r) => r.kind),
    slugs: rows.map((r) => r.slug),
    labels: rows.map((r) => r.label),
    counts: rows.map((r) => r.n),
  }
}

export const recordChanges = async (c: Client, refs: Ref[]): Promise<void> => {
  const { kinds, slugs } = tally([{ kind: 'site', slug: '' }, ...refs])
  await c.query('INSERT INTO changes (kind, slug) SELECT * FROM unnest($1::text[], $2::text[])', [
    kinds,
    slugs,
  ])
}

export const countDown = async (c: Client, refs: Ref[]): Promise<void> => {
  if (refs.length === 0) return
  const { kinds, slugs, counts } = tally(refs)
  await c.query(
    `UPDATE facets f SET count = f.count - x.n
     FROM unnest($1::text[], $2::text[], $3::int[]) AS x(kind, slug, n)
     WHERE f.kind = x.kind AND f.slug = x.slug`,
    [kinds, slugs, counts],
  )
}

export const dropEmpty = async (c: Client, refs: Ref[]): Promise<void> => {
  if (refs.length === 0) return
  const { kinds, slugs } = tally(refs)
  await c.query(
    `DELETE FROM facets WHERE count <= 0
     AND (kind, slug) IN (SELECT * FROM unnest($1::text[], $2::text[]))`,
    [kinds, slugs],
  )
}

/** The stored bodies of the given ids. */
const storedBodies = async (c: Client, ids: string[]): Promise<Map<string, string>> =>
  new Map(
    (
      await c.query<{ id: string; body: string }>(
        'SELECT id, body FROM articles WHERE id = ANY($1::text[])',
        [ids],
      )
    ).rows.map((r) => [r.id, r.body]),
  )

/** Adds the facet and month rows of articles just written, and counts them up. */
const indexArticles = async (c: Client, articles: readonly Article[]): Promise<Ref[]> => {
  const current = articles.flatMap((a) =>
    articleIndexes(a).map((f) => ({ ...f, id: a.id, at: a.publishedAt })),
  )
  if (current.length === 0) return current
  await c.query(
    `INSERT INTO article_facets (kind, slug, article_id, published_at)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[])`,
    [
      current.map((f) => f.kind),
      current.map((f) => f.slug),
      current.map((f) => f.id),
      current.map((f) => f.at),
    ],
  )
  const { kinds, slugs, labels, counts } = tally(current)
  await c.query(
    `INSERT INTO facets (kind, slug, label, count)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::int[])
     ON CONFLICT (kind, slug) DO UPDATE SET count = facets.count + EXCLUDED.count`,
    [kinds, slugs, labels, counts],
  )
  return current
}

/** The set-based write behind upsert and upsertMany; returns the ids that were new. */
export const writeArticles = async (c: Client, input: readonly Article[]): Promise<Set<string>> => {
  // Later entries win, as if written one after another.
  const articles = [...new Map(input.map((a) => [a.id, a])).values()]
  const bodies = new Map(articles.map((a) => [a.id, JSON.stringify(a)]))
  const existing = await storedBodies(c, [...bodies.keys()])
  const created = new Set(articles.filter((a) => !existing.has(a.id)).map((a) => a.id))
  const changed = articles.filter((a) => existing.get(a.id) !== bodies.get(a.id))
  if (changed.length === 0) return created
  const ids = changed.map((a) => a.id)
  const old = (
    await c.query<Ref>('SELECT kind, slug FROM article_facets WHERE article_id = ANY($1::text[])', [
      ids,
    ])
  ).rows
  await countDown(c, old)
  await c.query('DELETE FROM article_facets WHERE article_id = ANY($1::text[])', [ids])
  await c.query(
    `INSERT INTO articles (id, published_at, updated_at, body)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[])
     ON CONFLICT (id) DO UPDATE SET published_at = EXCLUDED.published_at,
       updated_at = EXCLUDED.updated_at, body = EXCLUDED.body`,
    [
      ids,
      changed.map((a) => a.publishedAt),
      changed.map((a) => a.updatedAt),
      changed.map((a) => bodies.get(a.id)),
    ],
  )
  const current = await indexArticles(c, changed)
  await dropEmpty(c, old)
  await c.query('DELETE FROM deletions WHERE article_id = ANY($1::text[])', [ids])
  await c.query('DELETE FROM deleted_facets WHERE article_id = ANY($1::text[])', [ids])
  await recordChanges(c, [...old, ...current])
  return created
}

/** Takes a live article out of every index, remembering the deletion; false if it is not live. */
export const removeArticle = async (c: Client, id: string, when: string): Promise<boolean> => {
  const old = (
    await c.query<Ref>('SELECT kind, slug FROM article_facets WHERE article_id = $1', [id])
  ).rows
  if ((await c.query('DELETE FROM articles WHERE id = $1', [id])).rowCount === 0) return false
  await countDown(c, old)
  await dropEmpty(c, old)
  await c.query(
    `INSERT INTO deletions (article_id, deleted_at) VALUES ($1, $2)
     ON CONFLICT (article_id) DO UPDATE SET deleted_at = EXCLUDED.deleted_at`,
    [id, when],
  )
  await c.query(
    `INSERT INTO deleted_facets (kind, slug, article_id, deleted_at)
     SELECT kind, slug, $3, $4 FROM unnest($1::text[], $2::text[]) AS x(kind, slug)
     ON CONFLICT (kind, slug, article_id) DO UPDATE SET deleted_at = EXCLUDED.deleted_at`,
    [old.map((r) => r.kind), old.map((r) => r.slug), id, when],
  )
  await recordChanges(c, old)
  return true
}

/**
 * Writes the articles due now live and keeps the others aside (ArticleStore.upsert); returns the
 * ids that were new to the store.
 */
export const placeArticles = async (c: Client, input: readonly Article[]): Promise<Set<string>> => {
  const now = new Date()
  const articles = [...new Map(input.map((a) => [a.id, a])).values()]
  const ids = articles.map((a) => a.id)
  const wasPending = new Set(
    (
      await c.query<{ id: string }>(
        'DELETE FROM pending_articles WHERE id = ANY($1::text[]) RETURNING id',
        [ids],
      )
    ).rows.map((r) => r.id),
  )
  const due = articles.filter((a) => isDue(a, now))
  const aside = articles.filter((a) => !isDue(a, now))
  const created = await writeArticles(c, due)
  for (const id of wasPending) created.delete(id)
  if (aside.length > 0) {
    await c.query(
      `INSERT INTO pending_articles (id, due_at, body)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[])`,
      [
        aside.map((a) => a.id),
        aside.map((a) => dueAt(a) ?? null),
        aside.map((a) => JSON.stringify(a)),
      ],
    )
  }
  for (const article of aside) {
    const wasLive = await removeArticle(c, article.id, now.toISOString())
    if (!wasLive && !wasPending.has(article.id)) created.add(article.id)
  }
  return created
}
