// The article store as a build reads it: each query waits for the event loop's next turn first.
// better-sqlite3 answers synchronously, so a build's chain of reads (a month's summaries a hundred
// rows at a time, then its parts) would otherwise run as one long slice with no request between.
import { setImmediate as nextTurn } from 'node:timers/promises'
import type { ArticleStore } from '../store/store.js'

// The queries a build makes, each paced; every other member passes through as it is.
const READS: ReadonlySet<PropertyKey> = new Set([
  'newestFor',
  'deletionsFor',
  'facets',
  'months',
  'count',
])

/**
 * `articles` with the reads a build makes paced one per turn of the event loop. A Proxy rather
 * than a copy: the store may itself be a stand-in forwarding to a store opened later (store/open.ts).
 */
export const pacedReads = (articles: ArticleStore): ArticleStore =>
  new Proxy(articles, {
    get: (target, key) => {
      const member: unknown = Reflect.get(target, key)
      if (!READS.has(key) || typeof member !== 'function') return member
      return async (...args: unknown[]): Promise<unknown> => {
        await nextTurn()
        return member.apply(target, args) as unknown
      }
    },
  })
