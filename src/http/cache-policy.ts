// Cache-Control of a published output: one build period for feeds and pages; a year and
// `immutable` for an archive month that can no longer change.
import { monthEnd } from '../feeds/history.js'
import { archiveMonthOf } from '../feeds/paths.js'

// Late corrections to a month (an edit, a back-dated article) are expected for a week after it
// ends; after that its archive is served as final. A later change still gets a new ETag, but
// caches may keep the old document for up to a year, which RFC 5005 §4 accepts for archives.
export const ARCHIVE_SETTLE_MS = 7 * 86_400_000
const YEAR_SECONDS = 31_536_000

export interface CachePolicy {
  cacheControl: string
  /** When the policy of this output changes (an archive becoming final), in epoch ms. */
  reviewAt?: number
}

export const cachePolicy = (urlPath: string, maxAgeSeconds: number, now: number): CachePolicy => {
  // Fresh for one build period, and usable while revalidating for one more (RFC 5861 §3).
  const periodic = `public, max-age=${maxAgeSeconds}, stale-while-revalidate=${maxAgeSeconds}`
  const month = archiveMonthOf(urlPath)
  if (month === undefined) return { cacheControl: periodic }
  const final = monthEnd(month).getTime() + ARCHIVE_SETTLE_MS
  return now >= final
    ? { cacheControl: `public, max-age=${YEAR_SECONDS}, immutable` }
    : { cacheControl: periodic, reviewAt: final }
}
