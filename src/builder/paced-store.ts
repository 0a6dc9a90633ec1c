// The article store as a build reads it: each query waits for the event loop's next turn first.
// better-sqlite3 answers synchronously, so a build's chain of reads (a month's summaries a hundred
// rows at a time, then its parts) would otherwise run as one long slice with no request between.
import { setImmediate as nextTurn } from 'node:timers/promises'
import type { ArticleStore } from '../store/store.js'

const paced =
  <A extends unknown[], R>(read: (...args: A) => Promise<R>) =>
  async (...args: A): Promise<R> => {
    await nextTurn()
    return read(...args)
  }

/** `articles` with the reads a build makes paced one per turn of the event loop; writes as they are. */
export const pacedReads = (articles: ArticleStore): ArticleStore => ({
  ...articles,
  newestFor: paced(articles.newestFor),
  deletionsFor: paced(articles.deletionsFor),
  facets: paced(articles.facets),
  months: paced(articles.months),
  count: paced(articles.count),
})
