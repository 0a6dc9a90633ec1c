// RFC 5005 feed paging and archiving, as data: where each document of a feed lives and which
// documents it links to. Pure; the builder decides which documents exist, the renderers write links.
// The paths themselves come from paths.ts.
import type { FeedFormat } from './formats.js'
import { archivePath, pagePath, stablePagePath } from './paths.js'

/** Link relations of RFC 5005 (§3 paged feeds, §4 archived feeds) besides self. */
export type HistoryRel =
  'first' | 'previous' | 'next' | 'last' | 'current' | 'prev-archive' | 'next-archive'

/** A link from one document of a feed to another, by the other's document path. */
export interface HistoryLink {
  rel: HistoryRel
  path: string
}

/** Where one document of a feed lives (the path under /feeds/ without the file name). */
export interface FeedDocument {
  path: string
  links: readonly HistoryLink[]
  /** An archive document: marked fh:archive, never the subscription document. */
  archive: boolean
}

export const HISTORY_NS = 'http://purl.org/syndication/history/1.0'

/** A history link with the linked document's URL per format, as the feed model carries it. */
export interface LinkedDocument extends HistoryLink {
  links: Readonly<Record<FeedFormat, string>>
}

/**
 * The JSON Feed URL of the document with the next older items (a page, else an archive): what the
 * JSON Feed renderer writes as next_url and the parse-back check expects to find there.
 */
export const olderItems = (model: { history: readonly LinkedDocument[] }): string | undefined =>
  model.history.find((l) => l.rel === 'next' || l.rel === 'prev-archive')?.links.json

/** The first instant after a month ('2026-11' → 2026-12-01T00:00:00Z): when it can no longer grow. */
export const monthEnd = (month: string): Date => {
  const [year, monthNumber] = month.split('-').map(Number) as [number, number]
  return new Date(Date.UTC(year, monthNumber, 1))
}

/**
 * The pages of a feed (RFC 5005 §3): page 1 is the subscription document and links to the newest
 * archive when the feed has archives (RFC 5005 §4: the subscription document's prev-archive).
 */
export const pagedDocuments = (
  feedPath: string,
  pages: number,
  newestArchive?: string,
  newestPart = 1,
): FeedDocument[] =>
  Array.from({ length: pages }, (_, i) => {
    const page = i + 1
    const links: HistoryLink[] = []
    if (pages > 1) {
      links.push({ rel: 'first', path: pagePath(feedPath, 1) })
      if (page > 1) links.push({ rel: 'previous', path: pagePath(feedPath, page - 1) })
      if (page < pages) links.push({ rel: 'next', path: pagePath(feedPath, page + 1) })
      links.push({ rel: 'last', path: pagePath(feedPath, pages) })
    }
    if (page === 1 && newestArchive) {
      links.push({ rel: 'prev-archive', path: archivePath(newestArchive, newestPart) })
    }
    return { path: pagePath(feedPath, page), links, archive: false }
  })

/** Which stable pages a feed has: blocks `oldest`…`newest`, counted from its oldest item. */
export interface StableRange {
  oldest: number
  newest: number
}

/**
 * The stable pages of a feed (RFC 5005 §3), cut from its oldest end: page n holds the items of
 * ordinals (n-1)·size … n·size-1 counted from the oldest, so a full page keeps its items as the
 * feed grows. The subscription document (newest first, its own size) comes first and links `next`
 * to the newest stable page; each stable page links `previous` to the newer one (the newest to the
 * subscription document), `next` to the older one while it is kept, and `first` to the
 * subscription document. No `last`: it would move with every page cut and change every page.
 * `prev-archive` (the newest archive) goes on the subscription document only, as in pagedDocuments.
 */
export const stableDocuments = (
  feedPath: string,
  range: StableRange | undefined,
  newestArchive?: string,
  newestPart = 1,
): FeedDocument[] => {
  const subscription: HistoryLink[] = []
  const pages: FeedDocument[] = []
  if (range) {
    subscription.push({ rel: 'first', path: feedPath })
    subscription.push({ rel: 'next', path: stablePagePath(feedPath, range.newest) })
    for (let n = range.newest; n >= range.oldest; n -= 1) {
      const links: HistoryLink[] = [{ rel: 'first', path: feedPath }]
      const newer = n === range.newest ? feedPath : stablePagePath(feedPath, n + 1)
      links.push({ rel: 'previous', path: newer })
      if (n > range.oldest) links.push({ rel: 'next', path: stablePagePath(feedPath, n - 1) })
      pages.push({ path: stablePagePath(feedPath, n), links, archive: false })
    }
  }
  if (newestArchive) {
    subscription.push({ rel: 'prev-archive', path: archivePath(newestArchive, newestPart) })
  }
  return [{ path: feedPath, links: subscription, archive: false }, ...pages]
}

/** The archive documents at `paths` (oldest first), chained both ways, each naming the feed. */
export const archiveChain = (
  feedPath: string,
  paths: readonly string[],
  ends: { older?: string; newer?: string } = {},
): FeedDocument[] =>
  paths.map((path, i) => {
    const links: HistoryLink[] = [{ rel: 'current', path: feedPath }]
    const older = i === 0 ? ends.older : paths[i - 1]
    const newer = i === paths.length - 1 ? ends.newer : paths[i + 1]
    if (older) links.push({ rel: 'prev-archive', path: older })
    if (newer) links.push({ rel: 'next-archive', path: newer })
    return { path, links, archive: true }
  })

/** The archive documents of a feed, one per month (oldest first), chained both ways. */
export const archiveDocuments = (feedPath: string, months: readonly string[]): FeedDocument[] =>
  archiveChain(
    feedPath,
    months.map((month) => archivePath(month)),
  )

/**
 * The archive documents of one month cut into `parts` (oldest first), chained to each other and,
 * at either end, to the last part of the month before and the first part of the month after.
 */
export const archiveParts = (
  feedPath: string,
  month: string,
  parts: number,
  ends: { older?: string; newer?: string },
): FeedDocument[] =>
  archiveChain(
    feedPath,
    Array.from({ length: parts }, (_, i) => archivePath(month, i + 1)),
    ends,
  )
