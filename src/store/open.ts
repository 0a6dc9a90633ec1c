// Chooses the store adapter from the configuration: PostgreSQL for a postgres:// URL, else SQLite.
import { join } from 'node:path'
import { ConfigError } from '../lib/errors.js'
import { openPostgresStore } from './postgres.js'
import { openSqliteStore } from './sqlite.js'
import type { Store } from './store.js'

export const isPostgresUrl = (url: string): boolean => /^postgres(?:ql)?:\/\//i.test(url)

export const openStore = async (
  config: {
    dataDir: string
    databaseUrl?: string
    databaseSchema?: string
    databaseConnectTimeoutMs?: number
    databaseStatementTimeoutMs?: number
  },
  log: { error(message: string): void } = { error: () => undefined },
): Promise<Store> => {
  if (config.databaseUrl === undefined)
    return openSqliteStore(join(config.dataDir, 'feedwright.db'), {
      warn: (message) => log.error(message),
    })
  if (!isPostgresUrl(config.databaseUrl)) {
    throw new ConfigError('store: DATABASE_URL must start with postgres:// or postgresql://')
  }
  return openPostgresStore({
    connectionString: config.databaseUrl,
    ...(config.databaseSchema && { schema: config.databaseSchema }),
    ...(config.databaseConnectTimeoutMs && { connectTimeoutMs: config.databaseConnectTimeoutMs }),
    ...(config.databaseStatementTimeoutMs && {
      statementTimeoutMs: config.databaseStatementTimeoutMs,
    }),
  })
}
