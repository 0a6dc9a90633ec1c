// A real PostgreSQL for the tests that need one: each caller gets its own schema, dropped afterwards.
import pg from 'pg'
import { startTcpProxy, type TcpProxy } from './tcp-proxy.js'

/** FEEDWRIGHT_TEST_DATABASE_URL, or the server this kind of machine runs (trust auth, database test). */
export const TEST_DATABASE_URL =
  process.env.FEEDWRIGHT_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'

const probe = async (): Promise<string | undefined> => {
  const client = new pg.Client({
    connectionString: TEST_DATABASE_URL,
    connectionTimeoutMillis: 2_000,
  })
  try {
    await client.connect()
    await client.query('SELECT 1')
    return undefined
  } catch (error) {
    return error instanceof Error ? error.message : String(error)
  } finally {
    await client.end().catch(() => undefined)
  }
}

/** Why PostgreSQL tests cannot run here, or undefined when a server answers. */
export const postgresUnavailable = await probe()

if (postgresUnavailable && process.env.FEEDWRIGHT_REQUIRE_POSTGRES) {
  throw new Error(
    `PostgreSQL is required here but ${TEST_DATABASE_URL} did not answer: ${postgresUnavailable}`,
  )
}
if (postgresUnavailable) {
  console.warn(
    `PostgreSQL tests SKIPPED: no server at ${TEST_DATABASE_URL} (${postgresUnavailable}). ` +
      'Start one (.ci/run does) or set FEEDWRIGHT_TEST_DATABASE_URL to a database the tests may use.',
  )
}

let counter = 0

/** A fresh schema name for one test; `dropSchema` removes it with everything in it. */
export const newSchema = (): string =>
  `feedwright_test_${process.pid}_${Date.now().toString(36)}_${counter++}`

export const dropSchema = async (schema: string): Promise<void> => {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL })
  await client.connect()
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)
  } finally {
    await client.end()
  }
}

/** The test database reached through a TCP proxy on `port` (to cut or freeze it in a test). */
export const databaseUrlThrough = (port: number): string => {
  const url = new URL(TEST_DATABASE_URL)
  url.host = `127.0.0.1:${port}`
  return url.href
}

/** A TCP proxy in front of the test database, to cut or freeze it (reach it by databaseUrlThrough). */
export const proxyToTestDatabase = (): Promise<TcpProxy> => {
  const target = new URL(TEST_DATABASE_URL)
  return startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) })
}
