// Chooses the store adapter from the configuration.
import { join } from 'node:path'
import { ConfigError } from '../lib/errors.js'
import { openSqliteStore } from './sqlite.js'
import type { ArticleStore } from './store.js'

export const openStore = (config: { dataDir: string; databaseUrl?: string }): ArticleStore => {
  if (config.databaseUrl !== undefined) {
    throw new ConfigError(
      'store: DATABASE_URL is set, but this version has only the embedded SQLite store; unset it',
    )
  }
  return openSqliteStore(join(config.dataDir, 'feedwright.db'))
}
