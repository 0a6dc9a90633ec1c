// The shared outputs (shared-outputs.ts) in PostgreSQL: the published_outputs table and the
// output_versions sequence of migrations/postgres.ts, and NOTIFY on one channel for every schema
// (the payload names the schema). A pool of its own, and a connection of its own to LISTEN on.
import pg from 'pg'
import type { Listening, OutputToShare, SharedOutput, SharedOutputs } from './shared-outputs.js'

const CHANNEL = 'feedwright_outputs'

export interface PostgresSharedOutputsOptions {
  connectionString: string
  schema: string
  /** How long to wait for a connection and for a statement's answer (a frozen server). */
  connectTimeoutMs?: number
  statementTimeoutMs?: number
  /** Errors of connections nobody is waiting on (the pool's idle ones, the listener's). */
  onError: (error: unknown) => void
}

interface Row {
  url_path: string
  version: string
  removed: boolean
  feed_key: string
  format: string
  content_type: string
  body: Buffer | null
  etag: string
  last_modified: Date
}

const UPSERT = `INSERT INTO published_outputs
    (url_path, version, removed, feed_key, format, content_type, body, etag, last_modified)
  VALUES ($1, nextval('output_versions'), false, $2, $3, $4, $5, $6, $7)
  ON CONFLICT (url_path) DO UPDATE SET version = EXCLUDED.version, removed = false,
    feed_key = EXCLUDED.feed_key, format = EXCLUDED.format,
    content_type = EXCLUDED.content_type, body = EXCLUDED.body, etag = EXCLUDED.etag,
    last_modified = EXCLUDED.last_modified`

const REMOVE = `UPDATE published_outputs SET removed = true, body = NULL,
    version = nextval('output_versions')
  WHERE url_path = ANY($1::text[])`

const fromRow = (row: Row): SharedOutput => {
  const version = Number(row.version)
  if (row.removed || row.body === null) return { urlPath: row.url_path, version, removed: true }
  // A copy of its own: pg's Buffer may be a slice of a larger one.
  const body = new Uint8Array(row.body.byteLength)
  body.set(row.body)
  return {
    urlPath: row.url_path,
    version,
    removed: false,
    feedKey: row.feed_key,
    format: row.format,
    contentType: row.content_type,
    body,
    etag: row.etag,
    lastModified: row.last_modified,
  }
}

/** Runs `work` in one transaction on a client of the pool. */
const inTransaction = async (
  pool: pg.Pool,
  work: (client: pg.PoolClient) => Promise<void>,
): Promise<void> => {
  const client = await pool.connect()
  // A connection dropping between statements emits 'error' on the client: without a listener that
  // would end the process. The statement in progress fails with it anyway.
  let broken: Error | undefined
  const onError = (error: Error) => {
    broken = error
  }
  client.on('error', onError)
  try {
    await client.query('BEGIN')
    await work(client)
    await client.query('COMMIT')
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined)
    throw error
  } finally {
    client.off('error', onError)
    client.release(broken)
  }
}

const insert = (client: pg.PoolClient, o: OutputToShare) =>
  client.query(UPSERT, [
    o.urlPath,
    o.feedKey,
    o.format,
    o.contentType,
    Buffer.from(o.body),
    o.etag,
    o.lastModified,
  ])

/** LISTENs on a connection of its own, reconnecting after a drop (and then calling `onChange`). */
const listenOn = async (
  connection: pg.ClientConfig,
  options: PostgresSharedOutputsOptions,
  onChange: () => void,
): Promise<Listening> => {
  const { schema, onError } = options
  let listener: pg.Client | undefined
  let closed = false
  const connect = async (): Promise<void> => {
    const client = new pg.Client(connection)
    client.on('notification', (message) => {
      if (message.payload === schema) onChange()
    })
    client.on('error', (error) => {
      onError(error)
      if (!closed) setTimeout(() => connect().then(onChange).catch(onError), 1_000).unref()
    })
    await client.connect()
    await client.query(`LISTEN ${CHANNEL}`)
    listener = client
  }
  await connect()
  return {
    async close() {
      closed = true
      await listener?.end().catch(() => undefined)
    },
  }
}

export const openPostgresSharedOutputs = (options: PostgresSharedOutputsOptions): SharedOutputs => {
  const { schema, onError } = options
  const connection = {
    connectionString: options.connectionString,
    options: `-c search_path="${schema.replace(/"/g, '""')}"`,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5_000,
    // Notifications are not statements: the listener waits for them as long as it lives.
    query_timeout: options.statementTimeoutMs ?? 30_000,
  }
  const pool = new pg.Pool({ ...connection, max: 2 })
  pool.on('error', onError)
  // Checked-out clients report a dropped connection as an event too (see store/postgres.ts).
  pool.on('connect', (client) => client.on('error', () => undefined))
  return {
    changedSince: async (version, limit) => {
      const { rows } = await pool.query<Row>(
        'SELECT * FROM published_outputs WHERE version > $1 ORDER BY version LIMIT $2',
        [version, limit],
      )
      return rows.map(fromRow)
    },
    publish: ({ put, removed }) =>
      inTransaction(pool, async (client) => {
        for await (const o of put) await insert(client, o)
        if (removed.length > 0) await client.query(REMOVE, [removed])
        // Delivered to the listeners when the transaction commits, never before.
        await client.query('SELECT pg_notify($1, $2)', [CHANNEL, schema])
      }),
    listen: (onChange) => listenOn(connection, options, onChange),
    close: () => pool.end(),
  }
}
