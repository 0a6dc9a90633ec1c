// ArticleStore on PostgreSQL (pg): same contract and query shapes as SQLite, for several instances.
import pg from 'pg'
import type { Article } from '../articles/schema.js'
import { StoreError } from '../lib/errors.js'
import { POSTGRES_MIGRATIONS } from './migrations/postgres.js'
import { placeArticles, type Ref, removeArticle, writeArticles } from './postgres-writes.js'
import {
  fromIdSchemeRow,
  type IdSchemeRow,
  idSchemeToRecord,
  toIdSchemeRow,
} from './id-scheme-rows.js'
import { postgresSubscriptions } from './postgres-subscriptions.js'
import {
  type ArchiveMonth,
  type ArticleStore,
  type Cursor,
  type Deletion,
  type Facet,
  selectionKey,
} from './store.js'

export interface PostgresOptions {
  connectionString: string
  /** Schema holding the tables (created if missing); tests use one per run. */
  schema?: string
  poolSize?: number
  /** How long to wait for a connection (default 5 s). */
  connectTimeoutMs?: number
  /**
   * How long to wait for a statement's answer (default 30 s), measured by the client so that a
   * frozen server fails a write in time too. Waits for the build and migration locks are exempt.
   */
  statementTimeoutMs?: number
}

// Lock waits may last as long as another instance's build: longer than any statement, but bounded,
// so that a frozen server fails a build (retried by the scheduler) rather than holding it forever.
const LOCK_WAIT_MS = 10 * 60_000

/**
 * A client taken from the pool for a while. pg emits 'error' on a checked-out client whose
 * connection drops between statements, and with no listener that is an uncaught exception that
 * ends the process; the error is kept instead (the next statement fails anyway) and the client is
 * dropped, not reused, when released.
 */
const checkout = async (pool: pg.Pool) => {
  const client = await pool.connect()
  let broken: Error | undefined
  const onError = (error: Error) => {
    broken = error
  }
  client.on('error', onError)
  return {
    client,
    /** Returns the client to the pool, or drops it after `failure` or a dropped connection. */
    release: (failure?: unknown) => {
      client.off('error', onError)
      const drop = failure instanceof Error ? failure : (broken ?? failure !== undefined)
      client.release(drop || undefined)
    },
  }
}

type Held = Awaited<ReturnType<typeof checkout>>

/** Takes a session advisory lock, waiting as long as it takes (pg's types omit query_timeout). */
const waitForLock = (client: pg.PoolClient, key: string) =>
  client.query({
    text: 'SELECT pg_advisory_lock(hashtext($1))',
    values: [key],
    query_timeout: LOCK_WAIT_MS,
  } as pg.QueryConfig)

type Client = pg.PoolClient

// A cursor after every article: '~' sorts after any ISO timestamp and any slug in byte order.
const END: Cursor = { publishedAt: '~', id: '~' }

const quoteIdent = (name: string): string => `"${name.replace(/"/g, '""')}"`

const migrate = async (pool: pg.Pool, schema: string): Promise<void> => {
  const { client, release } = await checkout(pool)
  // Two instances starting at once: the second waits here until the first has migrated.
  const lockKey = `${schema}:feedwright-migrations`
  try {
    await waitForLock(client, lockKey)
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`)
    await client.query(
      `CREATE TABLE IF NOT EXISTS schema_migrations (
         version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`,
    )
    const { rows } = await client.query<{ v: number }>(
      'SELECT COALESCE(MAX(version), 0)::int AS v FROM schema_migrations',
    )
    for (let version = rows[0]!.v + 1; version <= POSTGRES_MIGRATIONS.length; version += 1) {
      await client.query('BEGIN')
      await client.query(POSTGRES_MIGRATIONS[version - 1]!)
      await client.query('INSERT INTO schema_migrations (version) VALUES ($1)', [version])
      await client.query('COMMIT')
    }
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined)
    throw error
  } finally {
    await client.query('SELECT pg_advisory_unlock(hashtext($1))', [lockKey]).catch(() => undefined)
    release()
  }
}

/** Connects, migrates (under an advisory lock) and returns the store. */
export const openPostgresStore = async (options: PostgresOptions): Promise<ArticleStore> => {
  const schema = options.schema ?? 'public'
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.poolSize ?? 10,
    options: `-c search_path=${quoteIdent(schema)}`,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5_000,
    query_timeout: options.statementTimeoutMs ?? 30_000,
    keepAlive: true,
  })
  pool.on('error', () => undefined) // idle clients dropped by the server reconnect on next use
  // A client checked out when the server goes away (the build lock's, a transaction's) reports it
  // as an 'error' event too; its queries fail and say so, but the event unheard would end the process.
  pool.on('connect', (client) => client.on('error', () => undefined))
  try {
    await migrate(pool, schema)
  } catch (cause) {
    await pool.end()
    throw new StoreError(`store/postgres: cannot open or migrate schema "${schema}"`, { cause })
  }
  // Every write holds this lock for its transaction, so change-log sequence numbers commit in order
  // and a reader holding it shared never sees a marker ahead of an uncommitted write.
  const writeKey = `${schema}:feedwright-writes`
  const buildKey = `${schema}:feedwright-build`

  const transaction = async <T>(what: string, shared: boolean, run: (c: Client) => Promise<T>) => {
    let held: Held | undefined
    let result: T
    try {
      held = await checkout(pool)
      const { client } = held
      await client.query('BEGIN')
      await client.query(
        shared
          ? 'SELECT pg_advisory_xact_lock_shared(hashtext($1))'
          : 'SELECT pg_advisory_xact_lock(hashtext($1))',
        [writeKey],
      )
      result = await run(client)
      await client.query('COMMIT')
    } catch (cause) {
      // The connection is dropped rather than rolled back: the server rolls back a transaction
      // whose connection ends, and a connection that timed out or broke must not be reused.
      held?.release(cause)
      throw new StoreError(`store/postgres: ${what} failed`, { cause })
    }
    held.release()
    return result
  }
  const query = async <R extends pg.QueryResultRow>(
    what: string,
    text: string,
    values: unknown[] = [],
  ) => {
    try {
      return (await pool.query<R>(text, values)).rows
    } catch (cause) {
      throw new StoreError(`store/postgres: ${what} failed`, { cause })
    }
  }

  const lastSeq = async (c: Client): Promise<number> => {
    const { rows } = await c.query<{ seq: string }>(
      'SELECT CASE WHEN is_called THEN last_value ELSE 0 END AS seq FROM changes_seq_seq',
    )
    return Number(rows[0]?.seq ?? 0)
  }
  const parse = (row: { body: string }): Article => JSON.parse(row.body) as Article

  return {
    upsert: async (article) =>
      transaction('upsert', false, async (c) => ({
        created: (await placeArticles(c, [article])).has(article.id),
      })),
    upsertMany: (articles) =>
      transaction('upsertMany', false, async (c) => void (await placeArticles(c, articles))),
    get: async (id) => {
      const [row] = await query<{ body: string }>(
        'get',
        `SELECT body FROM articles WHERE id = $1
         UNION ALL SELECT body FROM pending_articles WHERE id = $1 LIMIT 1`,
        [id],
      )
      return row && parse(row)
    },
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
    newestFor: async (selection, limit, after = END) =>
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
      ).map(parse),
    deletionsFor: (selection, limit) =>
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
          ),
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
    changedSince: (marker) =>
      transaction('changedSince', true, async (c) => {
        const refs = (
          await c.query<Ref>('SELECT DISTINCT kind, slug FROM changes WHERE seq > $1', [marker])
        ).rows
        return {
          marker: Math.max(marker, await lastSeq(c)),
          touched: new Set(
            refs.map((r) => (r.kind === 'site' ? 'site' : selectionKey(r as never))),
          ),
        }
      }),
    changeMarker: () => transaction('changeMarker', true, lastSeq),
    forgetChanges: async (marker) =>
      void (await query('forgetChanges', 'DELETE FROM changes WHERE seq <= $1', [marker])),
    nextBuildId: async () =>
      Number(
        (await query<{ id: string }>('nextBuildId', "SELECT nextval('build_ids') AS id"))[0]!.id,
      ),
    builtMarker: async () => {
      const [row] = await query<{ value: string }>(
        'builtMarker',
        "SELECT value FROM build_state WHERE name = 'built-marker'",
      )
      return row && Number(row.value)
    },
    saveBuiltMarker: async (marker) =>
      void (await query(
        'saveBuiltMarker',
        `INSERT INTO build_state (name, value) VALUES ('built-marker', $1)
         ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value`,
        [marker],
      )),
    withBuildLock: async (build) => {
      // A session lock on a connection of its own: if this process dies, the server drops the
      // connection and the lock with it, and another instance takes over the next build.
      let held: Held | undefined
      try {
        held = await checkout(pool)
        await waitForLock(held.client, buildKey)
      } catch (cause) {
        held?.release(cause)
        throw new StoreError('store/postgres: taking the build lock failed', { cause })
      }
      try {
        return await build()
      } finally {
        await held.client
          .query('SELECT pg_advisory_unlock(hashtext($1))', [buildKey])
          .catch(() => undefined)
        held.release()
      }
    },
    saveBuildReport: async (id, json, keep) => {
      await query(
        'saveBuildReport',
        'INSERT INTO build_reports (id, body) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET body = EXCLUDED.body',
        [id, json],
      )
      await query('saveBuildReport', 'DELETE FROM build_reports WHERE id <= $1', [id - keep])
    },
    buildReport: async (id) =>
      (
        await query<{ body: string }>(
          'buildReport',
          'SELECT body FROM build_reports WHERE id = $1',
          [id],
        )
      )[0]?.body,
    latestBuildReport: async () => {
      const [row] = await query<{ id: number; body: string }>(
        'latestBuildReport',
        'SELECT id, body FROM build_reports ORDER BY id DESC LIMIT 1',
      )
      return row && { id: row.id, json: row.body }
    },
    idScheme: (proposal) =>
      transaction('idScheme', false, async (c) => {
        const { rows } = await c.query<IdSchemeRow>(
          "SELECT kind, authority, date FROM id_scheme WHERE name = 'items' FOR UPDATE",
        )
        const record = idSchemeToRecord(rows[0], proposal)
        if (!record) return fromIdSchemeRow(rows[0]!)!
        const row = toIdSchemeRow(record)
        await c.query(
          `INSERT INTO id_scheme (name, kind, authority, date) VALUES ('items', $1, $2, $3)
           ON CONFLICT (name) DO UPDATE SET kind = EXCLUDED.kind, authority = EXCLUDED.authority,
             date = EXCLUDED.date`,
          [row.kind, row.authority, row.date],
        )
        return record
      }),
    subscriptions: postgresSubscriptions(query),
    close: () => pool.end(),
  }
}
