// The documents of a feed in one build, with the rows each holds: its RFC 5005 pages and, for the
// site feed, one archive per month. Reads the store; renders nothing.
import type { Article } from '../articles/schema.js'
import type { FeedDefinition } from '../feeds/catalog.js'
import { archiveDocuments, type FeedDocument, pagedDocuments } from '../feeds/history.js'
import { deletionsOf, selectArticles, TOMBSTONES_PER_FEED } from '../feeds/select.js'
import type { ArchiveMonth, ArticleStore, Deletion } from '../store/store.js'

export interface PlannedDocument {
  /** Output key: the feed's key, or 'archive:YYYY-MM'. */
  key: string
  document: FeedDocument
  articles: Article[]
  deletions: Deletion[]
}

// RFC 6721 tombstones per archive month, as for feeds (select.ts).

/** Pages 1..n of a feed, `pageSize` articles each, at most `maxPages`; page 1 always exists. */
export const planPages = async (
  store: ArticleStore,
  definition: FeedDefinition,
  options: { pageSize: number; maxPages: number; newestArchive?: string },
): Promise<PlannedDocument[]> => {
  const { pageSize, maxPages, newestArchive } = options
  const articles = await selectArticles(store, definition.selection, pageSize * maxPages)
  const deletions = await deletionsOf(store, definition.selection)
  const pages = Math.max(1, Math.ceil(articles.length / pageSize))
  return pagedDocuments(definition.path, pages, newestArchive).map((document, i) => ({
    key: definition.key,
    document,
    articles: articles.slice(i * pageSize, (i + 1) * pageSize),
    // Tombstones, and the `updated` they move, belong to the subscription document.
    deletions: i === 0 ? deletions : [],
  }))
}

export const archiveKey = (month: string): string => `archive:${month}`

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

/**
 * The archive documents (oldest first) of the months in `due`, each with all of its articles, read
 * one month at a time as the caller asks: together they hold the whole history.
 */
export async function* planArchives(
  store: ArticleStore,
  site: FeedDefinition,
  months: readonly ArchiveMonth[],
  due: ReadonlySet<string>,
): AsyncGenerator<PlannedDocument> {
  const documents = archiveDocuments(
    site.path,
    months.map((m) => m.month),
  )
  for (const [i, { month, count }] of months.entries()) {
    if (!due.has(month)) continue
    const selection = { kind: 'month' as const, slug: month }
    yield {
      key: archiveKey(month),
      document: documents[i]!,
      articles: await store.newestFor(selection, count),
      deletions: await store.deletionsFor(selection, TOMBSTONES_PER_FEED),
    }
  }
}
