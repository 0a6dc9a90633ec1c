// The store on PostgreSQL (pg): each concern's adapter over one pool, for several instances.
import { postgresArticles } from './postgres-articles.js'
import { postgresBuildLog } from './postgres-build-log.js'
import { connectPostgres, type PostgresOptions } from './postgres-connect.js'
import { postgresSubscriptions } from './postgres-subscriptions.js'
import type { Store } from './store.js'

export type { PostgresOptions } from './postgres-connect.js'

/** Connects, migrates (under an advisory lock) and returns the store. */
export const openPostgresStore = async (options: PostgresOptions): Promise<Store> => {
  const db = await connectPostgres(options)
  return {
    articles: postgresArticles(db),
    builds: postgresBuildLog(db),
    subscriptions: postgresSubscriptions(db.query),
    close: () => db.pool.end(),
  }
}
