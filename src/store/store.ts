// The store: one contract per concern (articles, the build log, subscriptions) over one database.
import type { ArticleStore } from './articles.js'
import type { BuildLog } from './build-log.js'
import type { SubscriptionStore } from './subscriptions.js'

// The concerns' types, for modules that ask the store as a whole (each concern's own module is
// where they are defined and documented).
export type {
  ArchiveMonth,
  ArticleStore,
  Cursor,
  Deletion,
  Facet,
  FacetKind,
  Selection,
} from './articles.js'
export { articleFacets, articleIndexes, monthOf, selectionKey } from './articles.js'
export type { BuildLog, ChangeSet, IdScheme } from './build-log.js'
export type { Subscription, SubscriptionStore } from './subscriptions.js'

/**
 * What `openStore` gives: the three contracts sharing one connection (SQLite) or pool
 * (PostgreSQL), so that an article write and its change-log entry commit together.
 */
export interface Store {
  articles: ArticleStore
  builds: BuildLog
  subscriptions: SubscriptionStore
  close(): Promise<void>
}
