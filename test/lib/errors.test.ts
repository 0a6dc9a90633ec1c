// Store failures classified from real errors: a real SQLite file that fills up, a real refused
// connection and a real PostgreSQL error code.
import { createServer } from 'node:net'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import pg from 'pg'
import { describe, expect, it } from 'vitest'
import { StoreError, storeFailureKind } from '../../src/lib/errors.js'
import { tempDir } from '../helpers/fixtures.js'
import { TEST_DATABASE_URL } from '../helpers/postgres.js'

/** The error a real SQLite file gives when it may not grow any further. */
const sqliteFull = async (): Promise<unknown> => {
  const dir = await tempDir()
  const db = new Database(join(dir.path, 'full.db'))
  try {
    db.exec('CREATE TABLE t (x TEXT)')
    db.pragma(`max_page_count = ${db.pragma('page_count', { simple: true })}`)
    db.prepare('INSERT INTO t VALUES (?)').run('x'.repeat(100_000))
    throw new Error('the insert should have failed')
  } catch (error) {
    return error
  } finally {
    db.close()
    await dir.cleanup()
  }
}

/** The error of a connection to a port nobody listens on (taken, then closed). */
const refused = async (): Promise<unknown> => {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  await new Promise((resolve) => server.close(resolve))
  const client = new pg.Client({ host: '127.0.0.1', port, connectionTimeoutMillis: 1_000 })
  return client.connect().then(
    () => new Error('the connection should have been refused'),
    (error: unknown) => error,
  )
}

describe('store failures', () => {
  it('calls SQLITE_FULL from a real file "full": 507 with Retry-After, the code in the message', async () => {
    const cause = await sqliteFull()
    expect((cause as { code?: string }).code).toBe('SQLITE_FULL')
    const error = new StoreError('store/sqlite: upsert failed', { cause })
    expect(error.kind).toBe('full')
    expect(error.status).toBe(507)
    expect(error.headers).toEqual({ 'Retry-After': '60' })
    expect(error.message).toBe('store/sqlite: upsert failed: SQLITE_FULL: database or disk is full')
    expect(error.cause).toBe(cause)
  })

  it('calls a refused connection "unavailable": 503 with Retry-After', async () => {
    const cause = await refused()
    const error = new StoreError('store/postgres: get failed', { cause })
    expect(error.kind).toBe('unavailable')
    expect(error.status).toBe(503)
    expect(error.headers).toEqual({ 'Retry-After': '5' })
    expect(error.message).toMatch(/^store\/postgres: get failed: ECONNREFUSED: /)
  })

  it('keeps other failures a 500 without Retry-After', async () => {
    const client = new pg.Client({ connectionString: TEST_DATABASE_URL })
    await client.connect()
    const cause = await client.query('SELECT * FROM no_such_table_here').catch((e: unknown) => e)
    await client.end()
    const error = new StoreError('store/postgres: get failed', { cause })
    expect(storeFailureKind(cause)).toBe('other')
    expect(error.status).toBe(500)
    expect(error.headers).toEqual({})
    expect(error.message).toMatch(/42P01: relation "no_such_table_here" does not exist/)
  })

  it('looks through the cause chain and knows the codes that have no real failure here', () => {
    const wrapped = new Error('outer', { cause: Object.assign(new Error('x'), { code: 'ENOSPC' }) })
    expect(storeFailureKind(wrapped)).toBe('full')
    expect(storeFailureKind(Object.assign(new Error('disk full'), { code: '53100' }))).toBe('full')
    expect(storeFailureKind(Object.assign(new Error('shutdown'), { code: '57P01' }))).toBe(
      'unavailable',
    )
    expect(storeFailureKind(new Error('Connection terminated unexpectedly'))).toBe('unavailable')
    expect(storeFailureKind(new Error('anything else'))).toBe('other')
  })
})
