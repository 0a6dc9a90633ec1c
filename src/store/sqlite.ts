// The embedded store on SQLite (better-sqlite3): each concern's adapter over one database handle.
import { sqliteArticles } from './sqlite-articles.js'
import { sqliteBuildLog } from './sqlite-build-log.js'
import { guard, openDatabase } from './sqlite-connect.js'
import { sqliteSubscriptions } from './sqlite-subscriptions.js'
import type { Store } from './store.js'

/** Opens (creating if needed) the SQLite file at `path` and brings its schema up to date. */
export const openSqliteStore = (
  path: string,
  options: { warn?: (message: string) => void } = {},
): Store => {
  const db = openDatabase(path, options.warn ?? (() => undefined))
  return {
    articles: sqliteArticles(db),
    builds: sqliteBuildLog(db),
    subscriptions: sqliteSubscriptions(db, guard),
    close: () => guard('close', () => void db.close()),
  }
}
