// The build log in the PostgreSQL store, shared by every instance: the change log read under the
// write lock, build ids from a sequence, the build lock (a session advisory lock), reports.
import type pg from 'pg'
import { StoreError } from '../lib/errors.js'
import { selectionKey, type Selection } from './articles.js'
import type { BuildLog } from './build-log.js'
import {
  fromIdSchemeRow,
  type IdSchemeRow,
  idSchemeToRecord,
  toIdSchemeRow,
} from './id-scheme-rows.js'
import { checkout, type Held, type PostgresDb, waitForLock } from './postgres-connect.js'
import type { Ref } from './postgres-writes.js'

const lastSeq = async (c: pg.PoolClient): Promise<number> => {
  const { rows } = await c.query<{ seq: string }>(
    'SELECT CASE WHEN is_called THEN last_value ELSE 0 END AS seq FROM changes_seq_seq',
  )
  return Number(rows[0]?.seq ?? 0)
}

/** What builds consumed: the change log and the built marker. */
const changeLog = ({ query, transaction }: PostgresDb) => ({
  changedSince: (marker: number) =>
    transaction('changedSince', true, async (c) => {
      const refs = (
        await c.query<Ref>('SELECT DISTINCT kind, slug FROM changes WHERE seq > $1', [marker])
      ).rows
      return {
        marker: Math.max(marker, await lastSeq(c)),
        touched: new Set(refs.map((r) => selectionKey(r as Selection))),
      }
    }),
  changeMarker: () => transaction('changeMarker', true, lastSeq),
  forgetChanges: async (marker: number) =>
    void (await query('forgetChanges', 'DELETE FROM changes WHERE seq <= $1', [marker])),
  builtMarker: async () => {
    const [row] = await query<{ value: string }>(
      'builtMarker',
      "SELECT value FROM build_state WHERE name = 'built-marker'",
    )
    return row && Number(row.value)
  },
  saveBuiltMarker: async (marker: number) =>
    void (await query(
      'saveBuiltMarker',
      `INSERT INTO build_state (name, value) VALUES ('built-marker', $1)
       ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value`,
      [marker],
    )),
})

/** Build reports under their ids; only the newest are kept. */
const reports = ({ query }: PostgresDb) => ({
  saveBuildReport: async (id: number, json: string, keep: number) => {
    await query(
      'saveBuildReport',
      'INSERT INTO build_reports (id, body) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET body = EXCLUDED.body',
      [id, json],
    )
    await query('saveBuildReport', 'DELETE FROM build_reports WHERE id <= $1', [id - keep])
  },
  buildReport: async (id: number) =>
    (
      await query<{ body: string }>('buildReport', 'SELECT body FROM build_reports WHERE id = $1', [
        id,
      ])
    )[0]?.body,
  latestBuildReport: async () => {
    const [row] = await query<{ id: number; body: string }>(
      'latestBuildReport',
      'SELECT id, body FROM build_reports ORDER BY id DESC LIMIT 1',
    )
    return row && { id: row.id, json: row.body }
  },
})

/**
 * Runs `build` holding a session lock on a connection of its own: if this process dies, the
 * server drops the connection and the lock with it, and another instance takes over the next build.
 */
const withBuildLock =
  ({ pool, schema }: PostgresDb) =>
  async <T>(build: () => Promise<T>): Promise<T> => {
    const buildKey = `${schema}:feedwright-build`
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
  }

const idScheme =
  ({ transaction }: PostgresDb): BuildLog['idScheme'] =>
  (proposal) =>
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
    })

/** The build log over an open, migrated schema. */
export const postgresBuildLog = (db: PostgresDb): BuildLog => ({
  ...changeLog(db),
  ...reports(db),
  nextBuildId: async () =>
    Number(
      (await db.query<{ id: string }>('nextBuildId', "SELECT nextval('build_ids') AS id"))[0]!.id,
    ),
  withBuildLock: withBuildLock(db),
  idScheme: idScheme(db),
})
