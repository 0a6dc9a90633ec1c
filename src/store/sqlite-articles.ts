// The articles in the SQLite store: live ones with their facet and month indexes, those kept aside
// until due, deletions; every write notes the selections it touched in the change log.
import type Database from 'better-sqlite3'
import { dueAt, isDue } from '../articles/schedule.js'
import type { Article } from '../articles/schema.js'
import {
  type ArchiveMonth,
  type ArticleStore,
  articleIndexes,
  type Cursor,
  type Deletion,
  type Facet,
  type FacetKind,
} from './articles.js'
import { guard } from './sqlite-connect.js'

type FacetRef = { kind: FacetKind | 'month' | 'site'; slug: string }

// A cursor after every article: '~' sorts after any ISO timestamp and any slug.
const END: Cursor = { publishedAt: '~', id: '~' }

const parse = (row: { body: string }): Article => JSON.parse(row.body) as Article

/** The statements behind writes: articles, their index rows, counts, deletions, the change log. */
const writeStatements = (db: Database.Database) => ({
  putArticle: db.prepare(
    `INSERT INTO articles (id, published_at, updated_at, body) VALUES (@id, @publishedAt, @updatedAt, @body)
     ON CONFLICT (id) DO UPDATE SET published_at = excluded.published_at,
       updated_at = excluded.updated_at, body = excluded.body`,
  ),
  deleteArticle: db.prepare('DELETE FROM articles WHERE id = ?'),
  facetsOfArticle: db.prepare<[string], FacetRef>(
    'SELECT kind, slug FROM article_facets WHERE article_id = ?',
  ),
  deleteArticleFacets: db.prepare('DELETE FROM article_facets WHERE article_id = ?'),
  putArticleFacet: db.prepare(
    'INSERT INTO article_facets (kind, slug, article_id, published_at) VALUES (?, ?, ?, ?)',
  ),
  countUp: db.prepare(
    `INSERT INTO facets (kind, slug, label, count) VALUES (?, ?, ?, 1)
     ON CONFLICT (kind, slug) DO UPDATE SET count = count + 1`,
  ),
  countDown: db.prepare('UPDATE facets SET count = count - 1 WHERE kind = ? AND slug = ?'),
  dropIfEmpty: db.prepare('DELETE FROM facets WHERE kind = ? AND slug = ? AND count <= 0'),
  forgetDeletion: db.prepare('DELETE FROM deletions WHERE article_id = ?'),
  forgetDeletedFacets: db.prepare('DELETE FROM deleted_facets WHERE article_id = ?'),
  putDeletion: db.prepare(
    `INSERT INTO deletions (article_id, deleted_at) VALUES (?, ?)
     ON CONFLICT (article_id) DO UPDATE SET deleted_at = excluded.deleted_at`,
  ),
  putDeletedFacet: db.prepare(
    `INSERT INTO deleted_facets (kind, slug, article_id, deleted_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (kind, slug, article_id) DO UPDATE SET deleted_at = excluded.deleted_at`,
  ),
  putChange: db.prepare('INSERT INTO changes (kind, slug) VALUES (?, ?)'),
  putPending: db.prepare(
    `INSERT INTO pending_articles (id, due_at, body) VALUES (?, ?, ?)
     ON CONFLICT (id) DO UPDATE SET due_at = excluded.due_at, body = excluded.body`,
  ),
  dropPending: db.prepare('DELETE FROM pending_articles WHERE id = ?'),
})

/** The statements behind questions. */
const readStatements = (db: Database.Database) => ({
  body: db.prepare<[string], { body: string }>('SELECT body FROM articles WHERE id = ?'),
  pending: db.prepare<[string], { body: string }>('SELECT body FROM pending_articles WHERE id = ?'),
  // Keyset paging: the cursor's (published_at, id) is compared as a row value, which the
  // (published_at, id) indexes answer with a seek. '~' sorts after every timestamp and slug.
  newestOfSite: db.prepare<[string, string, number], { body: string }>(
    `SELECT body FROM articles WHERE (published_at, id) < (?, ?)
     ORDER BY published_at DESC, id DESC LIMIT ?`,
  ),
  newestOfFacet: db.prepare<[string, string, string, string, number], { body: string }>(
    `SELECT a.body FROM article_facets f JOIN articles a ON a.id = f.article_id
     WHERE f.kind = ? AND f.slug = ? AND (f.published_at, f.article_id) < (?, ?)
     ORDER BY f.published_at DESC, f.article_id DESC LIMIT ?`,
  ),
  deletionsOfSite: db.prepare<[number], Deletion>(
    `SELECT article_id AS id, deleted_at AS deletedAt FROM deletions
     ORDER BY deleted_at DESC, article_id DESC LIMIT ?`,
  ),
  deletionsOfFacet: db.prepare<[string, string, number], Deletion>(
    `SELECT article_id AS id, deleted_at AS deletedAt FROM deleted_facets
     WHERE kind = ? AND slug = ? ORDER BY deleted_at DESC, article_id DESC LIMIT ?`,
  ),
  facets: db.prepare<[], Facet>(
    `SELECT kind, slug, label, count FROM facets WHERE count > 0 AND kind <> 'month'
     ORDER BY kind, slug`,
  ),
  months: db.prepare<[], ArchiveMonth>(
    `SELECT slug AS month, count FROM facets WHERE kind = 'month' AND count > 0 ORDER BY slug`,
  ),
  count: db.prepare<[], { n: number }>(
    'SELECT (SELECT COUNT(*) FROM articles) + (SELECT COUNT(*) FROM pending_articles) AS n',
  ),
  duePending: db.prepare<[string], { body: string }>(
    `SELECT body FROM pending_articles WHERE due_at IS NOT NULL AND due_at <= ?
     ORDER BY due_at, id`,
  ),
  keptAside: db.prepare<[number], { body: string }>(
    `SELECT body FROM pending_articles ORDER BY due_at IS NULL, due_at, id LIMIT ?`,
  ),
  nextDue: db.prepare<[], { due: string | null }>(
    'SELECT MIN(due_at) AS due FROM pending_articles WHERE due_at IS NOT NULL',
  ),
})

type Reads = ReturnType<typeof readStatements>

/** Live rows and their indexes: writing one, taking one out as a deletion. */
const liveRows = (db: Database.Database, r: Reads) => {
  const q = writeStatements(db)
  /** Removes an article's facet rows and counts; returns the selections it was under. */
  const detach = (id: string): FacetRef[] => {
    const old = q.facetsOfArticle.all(id)
    for (const f of old) q.countDown.run(f.kind, f.slug)
    q.deleteArticleFacets.run(id)
    return old
  }
  const dropEmpty = (refs: FacetRef[]): void => {
    for (const f of refs) q.dropIfEmpty.run(f.kind, f.slug)
  }
  const recordChanges = (refs: FacetRef[]): void => {
    const unique = new Map(refs.map((ref) => [`${ref.kind}:${ref.slug}`, ref]))
    q.putChange.run('site', '')
    for (const ref of unique.values()) q.putChange.run(ref.kind, ref.slug)
  }
  return {
    q,
    /** Writes a live article and its indexes; an identical one is left alone. */
    write: (article: Article): { created: boolean } => {
      const body = JSON.stringify(article)
      const previous = r.body.get(article.id)
      if (previous?.body === body) return { created: false }
      const old = detach(article.id)
      q.putArticle.run({ ...article, body })
      const current = articleIndexes(article)
      for (const f of current) {
        q.putArticleFacet.run(f.kind, f.slug, article.id, article.publishedAt)
        q.countUp.run(f.kind, f.slug, f.label)
      }
      dropEmpty(old)
      q.forgetDeletion.run(article.id)
      q.forgetDeletedFacets.run(article.id)
      recordChanges([...old, ...current])
      return { created: previous === undefined }
    },
    /** Takes a live article out of every index, remembering the deletion; false if not live. */
    removeLive: (id: string, at: string): boolean => {
      const old = detach(id)
      if (q.deleteArticle.run(id).changes === 0) return false
      dropEmpty(old)
      q.putDeletion.run(id, at)
      for (const f of old) q.putDeletedFacet.run(f.kind, f.slug, id, at)
      recordChanges(old)
      return true
    },
  }
}

/** The writes of the contract, each one transaction. */
const articleWrites = (db: Database.Database, r: Reads) => {
  const { q, write, removeLive } = liveRows(db, r)
  /** Writes an article live if it is due now, else keeps it aside (see ArticleStore.upsert). */
  const place = (article: Article): { created: boolean } => {
    const now = new Date()
    if (isDue(article, now)) {
      const wasPending = q.dropPending.run(article.id).changes > 0
      return { created: write(article).created && !wasPending }
    }
    const wasPending = r.pending.get(article.id) !== undefined
    q.putPending.run(article.id, dueAt(article) ?? null, JSON.stringify(article))
    const wasLive = removeLive(article.id, now.toISOString())
    return { created: !wasPending && !wasLive }
  }
  return {
    upsertOne: db.transaction((article: Article) => place(article)),
    upsertAll: db.transaction((articles: readonly Article[]) => articles.forEach(place)),
    remove: db.transaction(
      (id: string, at: string): boolean => removeLive(id, at) || q.dropPending.run(id).changes > 0,
    ),
    release: db.transaction((now: string): number => {
      const due = r.duePending.all(now).map(parse)
      for (const article of due) {
        q.dropPending.run(article.id)
        write(article)
      }
      return due.length
    }),
  }
}

/** The articles over an open, migrated database. */
export const sqliteArticles = (db: Database.Database): ArticleStore => {
  const r = readStatements(db)
  const w = articleWrites(db, r)
  return {
    upsert: (article) => guard('upsert', () => w.upsertOne(article)),
    upsertMany: (articles) => guard('upsertMany', () => void w.upsertAll(articles)),
    get: (id) =>
      guard('get', () => {
        const row = r.body.get(id) ?? r.pending.get(id)
        return row && parse(row)
      }),
    // Prepared lookups in one synchronous pass: no round trips to save, unlike PostgreSQL.
    getMany: (ids) =>
      guard('getMany', () => {
        const found = new Map<string, Article>()
        for (const id of ids) {
          const row = r.body.get(id) ?? r.pending.get(id)
          if (row) found.set(id, parse(row))
        }
        return found
      }),
    delete: (id, at) => guard('delete', () => w.remove(id, at.toISOString())),
    releaseDue: (now) => guard('releaseDue', () => w.release(now.toISOString())),
    nextDue: () => guard('nextDue', () => r.nextDue.get()?.due ?? undefined),
    keptAside: (limit) => guard('keptAside', () => r.keptAside.all(limit).map(parse)),
    newestFor: (selection, limit, after = END) =>
      guard('newestFor', () =>
        (selection.kind === 'site'
          ? r.newestOfSite.all(after.publishedAt, after.id, limit)
          : r.newestOfFacet.all(selection.kind, selection.slug, after.publishedAt, after.id, limit)
        ).map(parse),
      ),
    deletionsFor: (selection, limit) =>
      guard('deletionsFor', () =>
        selection.kind === 'site'
          ? r.deletionsOfSite.all(limit)
          : r.deletionsOfFacet.all(selection.kind, selection.slug, limit),
      ),
    facets: () => guard('facets', () => r.facets.all()),
    months: () => guard('months', () => r.months.all()),
    count: () => guard('count', () => r.count.get()?.n ?? 0),
  }
}
