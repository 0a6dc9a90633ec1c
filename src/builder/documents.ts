// The documents of a feed in one build, with the rows each holds or how to read them as it is
// produced: its RFC 5005 pages (stable ones cut from the oldest end) and, for the site feed, each
// archive month cut into bounded parts. Reads the store; renders nothing.
import type { Article } from '../articles/schema.js'
import type { FeedDefinition } from '../feeds/catalog.js'
import {
  type FeedDocument,
  pagedDocuments,
  type StableRange,
  stableDocuments,
} from '../feeds/history.js'
import { deletionsOf, selectArticles } from '../feeds/select.js'
import { strongEtag } from '../lib/hash.js'
import type { ArticleStore, Cursor, Deletion, Selection } from '../store/store.js'
import { cursorOf, readLate, readRows, type RowSummary, summarize } from './rows.js'

export interface PlannedDocument {
  /** Output key: the feed's key, or 'archive:YYYY-MM'. */
  key: string
  document: FeedDocument
  articles: Article[]
  deletions: Deletion[]
  /**
   * A digest of what the document is rendered from (its rows, links and tombstones): equal
   * digests, equal bytes, so a page served from the same digest need not be rendered again.
   */
  source?: string
  /**
   * Its rows' estimated bytes in a document (RowSummary.bytes added up): what makes a document
   * large, produced one at a time (workers.ts).
   */
  bytes: number
}

/** How a feed is paged in a build. */
export interface PageOptions {
  /** Items of the subscription document and of each page. */
  pageSize: number
  /** Documents per feed at most: the subscription document and maxPages - 1 pages. */
  maxPages: number
  /** The feed's live items (facet and site counts); unknown for custom feeds (positional pages). */
  count?: number
  newestArchive?: string
  newestPart?: number
}

/** What a page was rendered from: its rows (ids and versions), links and tombstones. */
const sourceOf = (
  rows: readonly RowSummary[],
  document: FeedDocument,
  deletions: readonly Deletion[],
): string =>
  strongEtag(
    JSON.stringify({
      rows: rows.map((r) => [r.id, r.version]),
      links: document.links,
      deletions,
    }),
  )

/** The estimated bytes of some rows in a document. */
const bytesOf = (rows: readonly RowSummary[]): number =>
  rows.reduce((sum, row) => sum + row.bytes, 0)

/** What a document is before its rows: its key, place and links, and the tombstones it carries. */
export interface DocumentBase {
  key: string
  document: FeedDocument
  deletions: Deletion[]
}

/**
 * A document to produce, and, when its articles are not in it (planned.articles empty), how to read
 * them as it is produced (workers.ts `Producer.produce`).
 */
export interface DocumentToMake {
  planned: PlannedDocument
  rows?: () => Promise<Article[]>
}

/**
 * A document of `rows` (newest first, the `after` cursor's next ones in `selection`) made from
 * `source`: with its articles when they were kept, or read again as it is produced (then not held
 * until its turn comes). Rows read then that are not the ones planned leave it without a source:
 * nothing records it as rendered from rows it was not, and the next build renders it again.
 */
const planDocument = (
  store: ArticleStore,
  selection: Selection,
  base: DocumentBase & { source: string },
  rows: readonly RowSummary[],
  kept: { articles?: Article[] | undefined; after: Cursor | undefined },
): DocumentToMake => {
  const bytes = bytesOf(rows)
  if (kept.articles) return { planned: { ...base, articles: kept.articles, bytes } }
  const planned: PlannedDocument = { ...base, articles: [], bytes }
  return {
    planned,
    rows: readLate(store, selection, rows, kept.after, () => delete planned.source),
  }
}

/** A custom feed's page, of the articles read for it. */
const toPlanned = (
  definition: FeedDefinition,
  document: FeedDocument,
  articles: Article[],
  deletions: Deletion[],
): DocumentToMake => {
  const rows = articles.map(summarize)
  return {
    planned: {
      key: definition.key,
      document,
      articles,
      deletions,
      source: sourceOf(rows, document, deletions),
      bytes: bytesOf(rows),
    },
  }
}

/**
 * The stable pages kept for a feed of `count` items: the newest full blocks of `pageSize` counted
 * from its oldest item, at most `maxPages - 1` of them (the subscription document is the other).
 */
export const stableRange = (
  count: number,
  pageSize: number,
  maxPages: number,
): StableRange | undefined => {
  // A block whose items are all in the subscription document (the newest, full one) is not a page
  // yet: it becomes one when the next article leaves one of its items out of that document.
  const newest = Math.floor((count - 1) / pageSize)
  if (maxPages < 2 || newest < 1) return undefined
  return { oldest: Math.max(1, newest - maxPages + 2), newest }
}

/** The items a feed of `count` items reads: the subscription document's and the stable pages'. */
const itemsToRead = (count: number, options: PageOptions): number => {
  const { pageSize, maxPages } = options
  const range = stableRange(count, pageSize, maxPages)
  if (!range) return pageSize
  const partial = count - range.newest * pageSize
  return Math.max(pageSize, partial + (range.newest - range.oldest + 1) * pageSize)
}

/**
 * The most of a feed's rows (their estimated bytes) kept from planning its pages to render them: a
 * feed of ordinary articles (5 pages of 50 at ~3 KB, under 1 MB) is read once; a feed of long reads
 * keeps only the summaries, and each page rendered is read again as it is produced. Held until the
 * feed's documents are all published, such a feed's rows (7 MB: 250 articles of 28 KB) were
 * promoted to the serving thread's old generation, and stayed in its RSS through the build.
 */
export const FEED_KEPT_BYTES = 1024 * 1024

/**
 * The subscription document (the newest `pageSize` items, and the tombstones) and the stable
 * pages of a feed whose size is known. Fewer rows than asked for means the count was ahead of the
 * rows (a deletion since): the rows read are then the whole feed, and the pages are cut from them.
 */
const planStablePages = async (
  store: ArticleStore,
  definition: FeedDefinition & { selection: Selection },
  options: PageOptions & { count: number },
): Promise<DocumentToMake[]> => {
  const { pageSize, maxPages, newestArchive, newestPart } = options
  const { key, selection } = definition
  const limit = itemsToRead(options.count, options)
  const { summaries, articles } = await readRows(store, selection, FEED_KEPT_BYTES, limit)
  const count = summaries.length < limit ? summaries.length : options.count
  const tombstones = await deletionsOf(store, selection)
  const range = stableRange(count, pageSize, maxPages)
  const documents = stableDocuments(definition.path, range, newestArchive, newestPart)
  const partial = range ? count - range.newest * pageSize : 0
  return documents.map((document, i) => {
    // The subscription document holds the newest items; the stable pages, newest first, start
    // `partial` items in (the newest page shares them with it), a page apart.
    const from = i === 0 ? 0 : partial + (i - 1) * pageSize
    const rows = summaries.slice(from, from + pageSize)
    const deletions = i === 0 ? tombstones : []
    const source = sourceOf(rows, document, deletions)
    const kept = {
      articles: articles?.slice(from, from + pageSize),
      after: from === 0 ? undefined : cursorOf(summaries[from - 1]!),
    }
    return planDocument(store, selection, { key, document, deletions, source }, rows, kept)
  })
}

/** Whether a feed is a selection the store reads by itself (not a custom feed's merge). */
const isStoreSelection = (
  definition: FeedDefinition,
): definition is FeedDefinition & { selection: Selection } => definition.selection.kind !== 'custom'

/**
 * A feed's documents this build. With its size known: the subscription document and its stable
 * pages (stableDocuments). A custom feed (its size would take a walk of every facet it merges)
 * keeps positional pages: 1..n of `pageSize` articles, newest first, page 1 always there.
 */
export const planPages = async (
  store: ArticleStore,
  definition: FeedDefinition,
  options: PageOptions,
): Promise<DocumentToMake[]> => {
  const { count } = options
  if (count !== undefined && isStoreSelection(definition))
    return planStablePages(store, definition, { ...options, count })
  const { pageSize, maxPages, newestArchive, newestPart } = options
  const articles = await selectArticles(store, definition.selection, pageSize * maxPages)
  const deletions = await deletionsOf(store, definition.selection)
  const pages = Math.max(1, Math.ceil(articles.length / pageSize))
  return pagedDocuments(definition.path, pages, newestArchive, newestPart).map((document, i) =>
    toPlanned(
      definition,
      document,
      articles.slice(i * pageSize, (i + 1) * pageSize),
      // Tombstones, and the `updated` they move, belong to the subscription document.
      i === 0 ? deletions : [],
    ),
  )
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

/** One part of a month: its rows oldest first, and where reading it newest first starts. */
export interface MonthPart {
  rows: RowSummary[]
  /** The newest article of the next part (newestFor reads strictly after it); none for the last. */
  after: Cursor | undefined
  /** Its articles newest first, when they were kept from cutting the month (see readMonth). */
  articles?: Article[]
}

/**
 * The most of a month's rows (their estimated bytes) kept from cutting it to render its parts:
 * a month of the 1M bench (about 1,500 articles, 4 MB) is read once rather than twice; a larger
 * one keeps only its summaries, and each part is read again as it is rendered.
 */
export const MONTH_KEPT_BYTES = 8 * 1024 * 1024

/**
 * A month's articles (newest first, as read) cut into parts from the oldest end: a part takes the
 * next older-to-newer article while it holds fewer than `items` and the article's estimated bytes
 * still fit; an article larger than `bytes` on its own gets a part to itself. So a new article
 * changes only the last part (or starts a new one), and the parts before it stay as they are.
 */
export const cutMonth = (
  newestFirst: readonly RowSummary[],
  bounds: ArchiveBounds,
  articles?: readonly Article[],
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
  // Part k holds the rows just newer than parts 0..k-1: in newest-first order, the slice ending
  // where theirs begins.
  let end = newestFirst.length
  return parts.map((rows, k) => {
    const next = parts[k + 1]?.[0]
    const start = end - rows.length
    const own = articles?.slice(start, end)
    end = start
    return {
      rows,
      after: next && { publishedAt: next.publishedAt, id: next.id },
      ...(own && { articles: own }),
    }
  })
}

/**
 * A month's part as a document to produce: its articles newest first, kept from cutting the month,
 * or read again as it is produced. `source`: the digest of what it holds and links to (archives.ts).
 */
export const planArchivePart = (
  store: ArticleStore,
  base: DocumentBase & { source: string },
  month: string,
  part: MonthPart,
): DocumentToMake =>
  planDocument(store, { kind: 'month', slug: month }, base, [...part.rows].reverse(), part)
