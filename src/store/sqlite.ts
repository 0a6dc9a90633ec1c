// Embedded ArticleStore on SQLite (better-sqlite3): WAL, prepared statements, one transaction a write.
import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import Database from 'better-sqlite3'
import { dueAt, isDue } from '../articles/schedule.js'
import type { Article } from '../articles/schema.js'
import { describeCause, StoreError, storeFailureKind } from '../lib/errors.js'
import { SQLITE_MIGRATIONS } from './migrations/sqlite.js'
import {
  fromIdSchemeRow,
  type IdSchemeRow,
  idSchemeToRecord,
  toIdSchemeRow,
} from './id-scheme-rows.js'
import { sqliteSubscriptions } from './sqlite-subscriptions.js'
import {
  type ArchiveMonth,
  type ArticleStore,
  type ChangeSet,
  type Cursor,
  type Deletion,
  type Facet,
  type FacetKind,
  type Selection,
  articleIndexes,
  selectionKey,
} from './store.js'

type FacetRef = { kind: FacetKind | 'month' | 'site'; slug: string }

// A cursor after every article: '~' sorts after any ISO timestamp and any slug.
const END: Cursor = { publishedAt: '~', id: '~' }

const migrate = (db: Database.Database): void => {
  const current = db.pragma('user_version', { simple: true }) as number
  SQLITE_MIGRATIONS.slice(current).forEach((step, i) => {
    db.transaction(() => {
      db.exec(step)
      db.pragma(`user_version = ${current + i + 1}`)
    })()
  })
}

/**
 * Opens the file in WAL mode. WAL needs a shared-memory file beside the database, which cannot be
 * made on a full disk (SQLITE_IOERR_SHMSIZE); then the file is opened in exclusive locking mode,
 * where WAL keeps its index in memory (sqlite.org/wal.html §"Use of WAL without shared memory"):
 * reads work, writes fail with SQLITE_FULL until space is freed, and the service still starts and
 * serves. Other processes cannot open the store until this one restarts.
 */
const connect = (path: string, warn: (message: string) => void): Database.Database => {
  const db = new Database(path)
  try {
    db.pragma('journal_mode = WAL')
    return db
  } catch (cause) {
    db.close()
    if (path === ':memory:' || storeFailureKind(cause) === 'other') throw cause
    const fallback = new Database(path)
    fallback.pragma('locking_mode = EXCLUSIVE')
    fallback.pragma('journal_mode = WAL')
    warn(
      `store/sqlite: cannot open ${path} in shared mode (${describeCause(cause)}): opened it ` +
        'in exclusive mode; writes fail until space is freed, other processes cannot open it ' +
        'until this one restarts',
    )
    return fallback
  }
}

/** Opens (creating if needed) the SQLite file at `path` and brings its schema up to date. */
export const openSqliteStore = (
  path: string,
  options: { warn?: (message: string) => void } = {},
): ArticleStore => {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true })
  const db = connect(path, options.warn ?? (() => undefined))
  db.pragma('synchronous = NORMAL')
  db.pragma('foreign_keys = ON')
  db.pragma('busy_timeout = 5000')
  // 64 MiB of page cache: the "newest N" indexes of a large store stay in memory.
  db.pragma('cache_size = -65536')
  migrate(db)

  const q = {
    body: db.prepare<[string], { body: string }>('SELECT body FROM articles WHERE id = ?'),
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
    changesAfter: db.prepare<[number], FacetRef>(
      'SELECT DISTINCT kind, slug FROM changes WHERE seq > ?',
    ),
    lastChange: db.prepare<[], { seq: number | null }>('SELECT MAX(seq) AS seq FROM changes'),
    forgetChanges: db.prepare('DELETE FROM changes WHERE seq <= ?'),
    newBuildId: db.prepare('INSERT INTO build_ids DEFAULT VALUES'),
    dropBuildIds: db.prepare('DELETE FROM build_ids'),
    builtMarker: db.prepare<[], { value: number }>(
      "SELECT value FROM build_state WHERE name = 'built-marker'",
    ),
    saveBuiltMarker: db.prepare(
      `INSERT INTO build_state (name, value) VALUES ('built-marker', ?)
       ON CONFLICT (name) DO UPDATE SET value = excluded.value`,
    ),
    putReport: db.prepare('INSERT OR REPLACE INTO build_reports (id, body) VALUES (?, ?)'),
    pruneReports: db.prepare('DELETE FROM build_reports WHERE id <= ?'),
    report: db.prepare<[number], { body: string }>('SELECT body FROM build_reports WHERE id = ?'),
    pending: db.prepare<[string], { body: string }>(
      'SELECT body FROM pending_articles WHERE id = ?',
    ),
    putPending: db.prepare(
      `INSERT INTO pending_articles (id, due_at, body) VALUES (?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET due_at = excluded.due_at, body = excluded.body`,
    ),
    dropPending: db.prepare('DELETE FROM pending_articles WHERE id = ?'),
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
    idScheme: db.prepare<[], IdSchemeRow>(
      "SELECT kind, authority, date FROM id_scheme WHERE name = 'items'",
    ),
    putIdScheme: db.prepare(
      `INSERT INTO id_scheme (name, kind, authority, date) VALUES ('items', @kind, @authority, @date)
       ON CONFLICT (name) DO UPDATE SET kind = excluded.kind, authority = excluded.authority,
         date = excluded.date`,
    ),
    latestReport: db.prepare<[], { id: number; body: string }>(
      'SELECT id, body FROM build_reports ORDER BY id DESC LIMIT 1',
    ),
  }

  const parse = (row: { body: string }): Article => JSON.parse(row.body) as Article

  const sequence = db.prepare<[], { seq: number }>(
    "SELECT seq FROM sqlite_sequence WHERE name = 'changes'",
  )
  /** The last seq handed out, also when the change log has been emptied. */
  const lastSeq = (): number => sequence.get()?.seq ?? 0

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
    const unique = new Map(refs.map((r) => [`${r.kind}:${r.slug}`, r]))
    q.putChange.run('site', '')
    for (const r of unique.values()) q.putChange.run(r.kind, r.slug)
  }

  const write = (article: Article): { created: boolean; changed: boolean } => {
    const body = JSON.stringify(article)
    const previous = q.body.get(article.id)
    if (previous?.body === body) return { created: false, changed: false }
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
    return { created: previous === undefined, changed: true }
  }

  /** Takes a live article out of every index, remembering the deletion; false if not live. */
  const removeLive = (id: string, at: string): boolean => {
    const old = detach(id)
    if (q.deleteArticle.run(id).changes === 0) return false
    dropEmpty(old)
    q.putDeletion.run(id, at)
    for (const f of old) q.putDeletedFacet.run(f.kind, f.slug, id, at)
    recordChanges(old)
    return true
  }

  /** Writes an article live if it is due now, else keeps it aside (see ArticleStore.upsert). */
  const place = (article: Article): { created: boolean } => {
    const now = new Date()
    if (isDue(article, now)) {
      const wasPending = q.dropPending.run(article.id).changes > 0
      return { created: write(article).created && !wasPending }
    }
    const wasPending = q.pending.get(article.id) !== undefined
    q.putPending.run(article.id, dueAt(article) ?? null, JSON.stringify(article))
    const wasLive = removeLive(article.id, now.toISOString())
    return { created: !wasPending && !wasLive }
  }

  const upsertOne = db.transaction((article: Article) => place(article))
  const upsertAll = db.transaction((articles: readonly Article[]) => articles.forEach(place))
  const remove = db.transaction(
    (id: string, at: string): boolean => removeLive(id, at) || q.dropPending.run(id).changes > 0,
  )
  const release = db.transaction((now: string): number => {
    const due = q.duePending.all(now).map(parse)
    for (const article of due) {
      q.dropPending.run(article.id)
      write(article)
    }
    return due.length
  })

  const recordIdScheme = db.transaction((proposal: Parameters<ArticleStore['idScheme']>[0]) => {
    const row = q.idScheme.get()
    const record = idSchemeToRecord(row, proposal)
    if (record) q.putIdScheme.run(toIdSchemeRow(record))
    return record ?? fromIdSchemeRow(row!)!
  })

  const guard = <T>(what: string, run: () => T): Promise<T> => {
    try {
      return Promise.resolve(run())
    } catch (cause) {
      return Promise.reject(new StoreError(`store/sqlite: ${what} failed`, { cause }))
    }
  }

  return {
    upsert: (article) => guard('upsert', () => upsertOne(article)),
    upsertMany: (articles) => guard('upsertMany', () => void upsertAll(articles)),
    get: (id) =>
      guard('get', () => {
        const row = q.body.get(id) ?? q.pending.get(id)
        return row && parse(row)
      }),
    delete: (id, at) => guard('delete', () => remove(id, at.toISOString())),
    releaseDue: (now) => guard('releaseDue', () => release(now.toISOString())),
    nextDue: () => guard('nextDue', () => q.nextDue.get()?.due ?? undefined),
    keptAside: (limit) => guard('keptAside', () => q.keptAside.all(limit).map(parse)),
    newestFor: (selection, limit, after = END) =>
      guard('newestFor', () =>
        (selection.kind === 'site'
          ? q.newestOfSite.all(after.publishedAt, after.id, limit)
          : q.newestOfFacet.all(selection.kind, selection.slug, after.publishedAt, after.id, limit)
        ).map(parse),
      ),
    deletionsFor: (selection, limit) =>
      guard('deletionsFor', () =>
        selection.kind === 'site'
          ? q.deletionsOfSite.all(limit)
          : q.deletionsOfFacet.all(selection.kind, selection.slug, limit),
      ),
    facets: () => guard('facets', () => q.facets.all()),
    months: () => guard('months', () => q.months.all()),
    count: () => guard('count', () => q.count.get()?.n ?? 0),
    changedSince: (marker): Promise<ChangeSet> =>
      guard('changedSince', () => {
        const refs = q.changesAfter.all(marker)
        const last = q.lastChange.get()?.seq ?? lastSeq()
        return {
          marker: Math.max(marker, last),
          touched: new Set(refs.map((r) => selectionKey(r as Selection))),
        }
      }),
    // AUTOINCREMENT keeps seq rising after old rows are deleted (sqlite_sequence remembers it).
    changeMarker: () => guard('changeMarker', () => q.lastChange.get()?.seq ?? lastSeq()),
    forgetChanges: (marker) => guard('forgetChanges', () => void q.forgetChanges.run(marker)),
    nextBuildId: () =>
      guard('nextBuildId', () => {
        const id = Number(q.newBuildId.run().lastInsertRowid)
        q.dropBuildIds.run() // the AUTOINCREMENT sequence remembers the last id
        return id
      }),
    builtMarker: () => guard('builtMarker', () => q.builtMarker.get()?.value),
    saveBuiltMarker: (marker) => guard('saveBuiltMarker', () => void q.saveBuiltMarker.run(marker)),
    // One process owns an embedded store; its scheduler already runs one build at a time.
    withBuildLock: (build) => build(),
    saveBuildReport: (id, json, keep) =>
      guard('saveBuildReport', () => {
        q.putReport.run(id, json)
        q.pruneReports.run(id - keep)
      }),
    buildReport: (id) => guard('buildReport', () => q.report.get(id)?.body),
    latestBuildReport: () =>
      guard('latestBuildReport', () => {
        const row = q.latestReport.get()
        return row && { id: row.id, json: row.body }
      }),
    idScheme: (proposal) => guard('idScheme', () => recordIdScheme(proposal)),
    subscriptions: sqliteSubscriptions(db, guard),
    close: () => guard('close', () => void db.close()),
  }
}
