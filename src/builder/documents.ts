// The documents of a feed in one build, with the rows each holds: its RFC 5005 pages and, for the
// site feed, each archive month cut into bounded parts. Reads the store; renders nothing.
import type { Article } from '../articles/schema.js'
import type { FeedDefinition } from '../feeds/catalog.js'
import { type FeedDocument, pagedDocuments } from '../feeds/history.js'
import { deletionsOf, selectArticles } from '../feeds/select.js'
import { strongEtag } from '../lib/hash.js'
import type { ArticleStore, Cursor, Deletion } from '../store/store.js'

export interface PlannedDocument {
  /** Output key: the feed's key, or 'archive:YYYY-MM'. */
  key: string
  document: FeedDocument
  articles: Article[]
  deletions: Deletion[]
}

/** Pages 1..n of a feed, `pageSize` articles each, at most `maxPages`; page 1 always exists. */
export const planPages = async (
  store: ArticleStore,
  definition: FeedDefinition,
  options: { pageSize: number; maxPages: number; newestArchive?: string; newestPart?: number },
): Promise<PlannedDocument[]> => {
  const { pageSize, maxPages, newestArchive, newestPart } = options
  const articles = await selectArticles(store, definition.selection, pageSize * maxPages)
  const deletions = await deletionsOf(store, definition.selection)
  const pages = Math.max(1, Math.ceil(articles.length / pageSize))
  return pagedDocuments(definition.path, pages, newestArchive, newestPart).map((document, i) => ({
    key: definition.key,
    document,
    articles: articles.slice(i * pageSize, (i + 1) * pageSize),
    // Tombstones, and the `updated` they move, belong to the subscription document.
    deletions: i === 0 ? deletions : [],
  }))
}

/** Output key of a part of an archive month: 'archive:YYYY-MM' for part 1, 'archive:YYYY-MM/N'. */
export const archiveKey = (month: string, part = 1): string =>
  `archive:${month}${part === 1 ? '' : `/${part}`}`

/**
 * The months whose archive documents must be rebuilt: those touched, those not published, and the
 * neighbours of a month that appeared or emptied, whose prev-archive/next-archive links change.
 */
export const archivesDue = (
  months: readonly string[],
  touched: ReadonlySet<string>,
  isPublished: (month: string) => boolean,
): Set<string> => {
  const due = new Set<string>()
  const touchedMonths = [...touched].filter((k) => k.startsWith('month:')).map((k) => k.slice(6))
  for (const month of touchedMonths) {
    const exists = months.includes(month)
    if (exists) due.add(month)
    if (exists === isPublished(month)) continue
    const older = months.filter((m) => m < month).at(-1)
    const newer = months.find((m) => m > month)
    for (const m of [older, newer]) if (m) due.add(m)
  }
  for (const m of months) if (!isPublished(m)) due.add(m)
  return due
}

/** How many articles and how many bytes of them one archive document holds at most. */
export interface ArchiveBounds {
  items: number
  bytes: number
}

/**
 * The bounds when none are configured (config.ts has the same defaults). 100 items is two feed
 * pages (FEED_LIMIT 50), a page an aggregator paging back takes in one request; 2 MiB caps a month
 * of long reads (about 70 articles of 28 KB), so that no archive document costs a build thread
 * more than a feed page does to render, check and compress (under 40 MiB of heap).
 */
export const DEFAULT_ARCHIVE_BOUNDS: ArchiveBounds = { items: 100, bytes: 2 * 1024 * 1024 }

/** What cutting a month needs of an article: where it sorts, its size, a digest of its row. */
export interface RowSummary {
  id: string
  publishedAt: string
  /** The row's estimated bytes in a document (its JSON length). */
  bytes: number
  /** A hash of the whole row: any change to the article (also one keeping updatedAt) shows. */
  version: string
}

/** One part of a month: its rows oldest first, and where reading it newest first starts. */
export interface MonthPart {
  rows: RowSummary[]
  /** The newest article of the next part (newestFor reads strictly after it); none for the last. */
  after: Cursor | undefined
}

// Rows read at a time while cutting a month: its summaries are kept, its contents are not.
const SUMMARY_BATCH = 100

/** An article's summary; its size in a document estimated from its row before anything is rendered. */
export const summarize = (article: Article): RowSummary => {
  const row = JSON.stringify(article)
  return {
    id: article.id,
    publishedAt: article.publishedAt,
    bytes: row.length,
    version: strongEtag(row),
  }
}

/** The summaries of a month's articles, newest first, read in batches so contents never pile up. */
export const readMonth = async (store: ArticleStore, month: string): Promise<RowSummary[]> => {
  const selection = { kind: 'month' as const, slug: month }
  const rows: RowSummary[] = []
  let after: Cursor | undefined
  for (;;) {
    const batch = await store.newestFor(selection, SUMMARY_BATCH, after)
    for (const a of batch) rows.push(summarize(a))
    const last = batch.at(-1)
    if (!last || batch.length < SUMMARY_BATCH) return rows
    after = { publishedAt: last.publishedAt, id: last.id }
  }
}

/**
 * A month's articles (newest first, as read) cut into parts from the oldest end: a part takes the
 * next older-to-newer article while it holds fewer than `items` and the article's estimated bytes
 * still fit; an article larger than `bytes` on its own gets a part to itself. So a new article
 * changes only the last part (or starts a new one), and the parts before it stay as they are.
 */
export const cutMonth = (
  newestFirst: readonly RowSummary[],
  bounds: ArchiveBounds,
): MonthPart[] => {
  const parts: RowSummary[][] = []
  let current: RowSummary[] = []
  let bytes = 0
  for (let i = newestFirst.length - 1; i >= 0; i -= 1) {
    const row = newestFirst[i]!
    const full = current.length >= bounds.items || bytes + row.bytes > bounds.bytes
    if (current.length > 0 && full) {
      parts.push(current)
      current = []
      bytes = 0
    }
    current.push(row)
    bytes += row.bytes
  }
  if (current.length > 0) parts.push(current)
  return parts.map((rows, k) => {
    const next = parts[k + 1]?.[0]
    return { rows, after: next && { publishedAt: next.publishedAt, id: next.id } }
  })
}

/** A month's part as a document to produce: its articles read from the store, newest first. */
export const planArchivePart = async (
  store: ArticleStore,
  planned: { key: string; document: FeedDocument; deletions: Deletion[] },
  month: string,
  part: MonthPart,
): Promise<PlannedDocument> => ({
  ...planned,
  articles: await store.newestFor({ kind: 'month', slug: month }, part.rows.length, part.after),
})
