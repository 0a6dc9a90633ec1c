// The PostgreSQL pool every concern of the shared store uses: connecting, migrating under an
// advisory lock, and the two ways to run SQL (a query, or a transaction under the write lock).
import pg from 'pg'
import { StoreError } from '../lib/errors.js'
import { POSTGRES_MIGRATIONS } from './migrations/postgres.js'

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
export const checkout = async (pool: pg.Pool) => {
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

export type Held = Awaited<ReturnType<typeof checkout>>

/** Takes a session advisory lock, waiting as long as it takes (pg's types omit query_timeout). */
export const waitForLock = (client: pg.PoolClient, key: string) =>
  client.query({
    text: 'SELECT pg_advisory_lock(hashtext($1))',
    values: [key],
    query_timeout: LOCK_WAIT_MS,
  } as pg.QueryConfig)

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

/** A query's rows; a failure becomes a StoreError naming `what`. */
export type Query = <R extends pg.QueryResultRow>(
  what: string,
  text: string,
  values?: unknown[],
) => Promise<R[]>

/** Runs `run` in a transaction holding the write lock (`shared`: as a reader of the change log). */
export type Transaction = <T>(
  what: string,
  shared: boolean,
  run: (client: pg.PoolClient) => Promise<T>,
) => Promise<T>

/** An open, migrated schema and the ways the concerns' adapters reach it. */
export interface PostgresDb {
  pool: pg.Pool
  schema: string
  query: Query
  transaction: Transaction
}

const queryOf =
  (pool: pg.Pool): Query =>
  async (what, text, values = []) => {
    try {
      return (await pool.query(text, values)).rows
    } catch (cause) {
      throw new StoreError(`store/postgres: ${what} failed`, { cause })
    }
  }

const transactionOf = (pool: pg.Pool, schema: string): Transaction => {
  // Every write holds this lock for its transaction, so change-log sequence numbers commit in order
  // and a reader holding it shared never sees a marker ahead of an uncommitted write.
  const writeKey = `${schema}:feedwright-writes`
  return async (what, shared, run) => {
    let held: Held | undefined
    let result: Awaited<ReturnType<typeof run>>
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
}

/** Connects and migrates (under an advisory lock). */
export const connectPostgres = async (options: PostgresOptions): Promise<PostgresDb> => {
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
  return { pool, schema, query: queryOf(pool), transaction: transactionOf(pool, schema) }
}
