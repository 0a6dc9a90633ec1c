// Shares published outputs between instances through PostgreSQL: a build writes them there and
// NOTIFYs; every instance LISTENs, loads what changed into memory and its feeds/ directory, and
// also checks periodically, so a missed notification costs at most one interval.
import pg from 'pg'
import { archiveMonthOf } from '../feeds/history.js'
import type { Shelf, ShelvedOutput } from './shelf.js'
import { removeOutputFiles, writeOutputFiles } from './files.js'
import {
  type OutputFormat,
  type PublishedOutputs,
  type RenderedOutput,
  withEncodings,
} from './outputs.js'

const CHANNEL = 'feedwright_outputs'

const isArchivePath = (urlPath: string): boolean => archiveMonthOf(urlPath) !== undefined

export interface OutputSyncOptions {
  connectionString: string
  schema: string
  outputs: PublishedOutputs
  feedsDir: string
  /** Where archives go (and come from): on disk, not in memory. */
  shelf?: Shelf
  /** The periodic check that catches notifications missed while disconnected. */
  pollMs?: number
  /** How long to wait for a connection and for a statement's answer (a frozen server). */
  connectTimeoutMs?: number
  statementTimeoutMs?: number
  onError: (error: unknown) => void
}

export interface OutputSync {
  /** Loads every output published since the last load (all of them the first time). */
  load(): Promise<number>
  /** Saves a build's changes and notifies the other instances, in one transaction. */
  publish(changes: {
    put: ReadonlyArray<RenderedOutput | ShelvedOutput>
    removed: readonly string[]
  }): Promise<void>
  close(): Promise<void>
}

interface Row {
  url_path: string
  version: string
  removed: boolean
  feed_key: string
  format: OutputFormat
  content_type: string
  body: Buffer | null
  etag: string
  last_modified: Date
}

export const openPostgresOutputSync = async (options: OutputSyncOptions): Promise<OutputSync> => {
  const { schema, outputs, feedsDir, shelf, onError } = options
  const shelved = (urlPath: string): boolean => shelf !== undefined && isArchivePath(urlPath)
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
  let version = 0
  // Loads run one after another, so versions are applied in order.
  let loading: Promise<number> = Promise.resolve(0)

  const apply = async (row: Row): Promise<void> => {
    const onShelf = shelved(row.url_path)
    if (row.removed || row.body === null) {
      if (onShelf) await shelf!.remove(row.url_path)
      outputs.remove(row.url_path)
      await removeOutputFiles(feedsDir, row.url_path)
      return
    }
    const current = onShelf ? shelf!.get(row.url_path) : outputs.get(row.url_path)
    if (current?.etag === row.etag) return
    const body = new Uint8Array(row.body.byteLength)
    body.set(row.body)
    const rendered = {
      urlPath: row.url_path,
      feedKey: row.feed_key,
      format: row.format,
      contentType: row.content_type,
      body,
      etag: row.etag,
      lastModified: row.last_modified,
    }
    if (onShelf) {
      await shelf!.put(rendered)
      return
    }
    const published = await withEncodings(rendered)
    outputs.put(published)
    await writeOutputFiles(feedsDir, row.url_path, body, published.encoded)
  }

  // Rows are read a page at a time: the archives hold the whole history.
  const PAGE = 200
  const loadNow = async (): Promise<number> => {
    let loaded = 0
    for (;;) {
      const { rows } = await pool.query<Row>(
        'SELECT * FROM published_outputs WHERE version > $1 ORDER BY version LIMIT $2',
        [version, PAGE],
      )
      for (const row of rows) {
        await apply(row)
        version = Math.max(version, Number(row.version))
      }
      loaded += rows.length
      if (rows.length < PAGE) return loaded
    }
  }
  const load = (): Promise<number> => {
    loading = loading.catch(() => 0).then(loadNow)
    return loading
  }

  // The listener has a connection of its own; it reconnects after a drop and then reloads.
  let listener: pg.Client | undefined
  let closed = false
  const listen = async (): Promise<void> => {
    const client = new pg.Client(connection)
    client.on('notification', (message) => {
      if (message.payload === schema) load().catch(onError)
    })
    client.on('error', (error) => {
      onError(error)
      if (!closed) setTimeout(() => listen().then(load).catch(onError), 1_000).unref()
    })
    await client.connect()
    await client.query(`LISTEN ${CHANNEL}`)
    listener = client
  }
  await listen()
  const poll = setInterval(() => load().catch(onError), options.pollMs ?? 5_000)
  poll.unref()

  return {
    load,
    async publish({ put, removed }) {
      if (put.length === 0 && removed.length === 0) return
      const client = await pool.connect()
      // A connection dropping between statements emits 'error' on the client: without a listener
      // that would end the process. The statement in progress fails with it anyway.
      let broken: Error | undefined
      const onError = (error: Error) => {
        broken = error
      }
      client.on('error', onError)
      try {
        await client.query('BEGIN')
        for (const o of put) {
          await client.query(
            `INSERT INTO published_outputs
               (url_path, version, removed, feed_key, format, content_type, body, etag, last_modified)
             VALUES ($1, nextval('output_versions'), false, $2, $3, $4, $5, $6, $7)
             ON CONFLICT (url_path) DO UPDATE SET version = EXCLUDED.version, removed = false,
               feed_key = EXCLUDED.feed_key, format = EXCLUDED.format,
               content_type = EXCLUDED.content_type, body = EXCLUDED.body, etag = EXCLUDED.etag,
               last_modified = EXCLUDED.last_modified`,
            [
              o.urlPath,
              o.feedKey,
              o.format,
              o.contentType,
              Buffer.from('body' in o ? o.body : await shelf!.read(o, 'identity')),
              o.etag,
              o.lastModified,
            ],
          )
        }
        if (removed.length > 0) {
          await client.query(
            `UPDATE published_outputs SET removed = true, body = NULL, version = nextval('output_versions')
             WHERE url_path = ANY($1::text[])`,
            [removed],
          )
        }
        // Delivered to the listeners when the transaction commits, never before.
        await client.query('SELECT pg_notify($1, $2)', [CHANNEL, schema])
        await client.query('COMMIT')
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined)
        throw error
      } finally {
        client.off('error', onError)
        client.release(broken)
      }
    },
    async close() {
      closed = true
      clearInterval(poll)
      await listener?.end().catch(() => undefined)
      await loading.catch(() => undefined)
      await pool.end()
    },
  }
}
