// The articles of a feed: one store query for the site or a facet; a merge for custom feeds.
import type { Article } from '../articles/schema.js'
import type { ArticleStore, Cursor, Deletion } from '../store/store.js'
import { articleFacets, selectionKey } from '../store/store.js'
import type { CustomSelection, FeedSelection } from './catalog.js'

// Store order: publishedAt, then id, both descending.
const newerFirst = (a: Article, b: Article): number =>
  a.publishedAt === b.publishedAt ? (a.id < b.id ? 1 : -1) : a.publishedAt < b.publishedAt ? 1 : -1

/**
 * Newest `limit` articles under any included facet and no excluded one. Each facet is read newest
 * first, a page at a time, so the cost follows `limit` (and how many exclusions are skipped), not
 * the size of the store.
 */
const selectCustom = async (store: ArticleStore, selection: CustomSelection, limit: number) => {
  const excluded = new Set(selection.exclude.map(selectionKey))
  const isExcluded = (a: Article) =>
    articleFacets(a).some((f) => excluded.has(`${f.kind}:${f.slug}`))
  const streams = selection.include.map((facet) => ({
    facet,
    buffer: [] as Article[],
    cursor: undefined as Cursor | undefined,
    done: false,
  }))
  const chosen: Article[] = []
  const seen = new Set<string>()
  while (chosen.length < limit) {
    for (const s of streams) {
      if (s.buffer.length > 0 || s.done) continue
      const page = await store.newestFor(s.facet, limit, s.cursor)
      s.buffer = page
      s.done = page.length < limit
      const last = page.at(-1)
      if (last) s.cursor = { publishedAt: last.publishedAt, id: last.id }
    }
    const next = streams
      .filter((s) => s.buffer.length > 0)
      .sort((x, y) => newerFirst(x.buffer[0]!, y.buffer[0]!))[0]
    if (!next) break
    const article = next.buffer.shift()!
    if (seen.has(article.id)) continue
    seen.add(article.id)
    if (!isExcluded(article)) chosen.push(article)
  }
  return chosen
}

/** The newest articles a feed holds, newest first, at most `limit`. */
export const selectArticles = (
  store: ArticleStore,
  selection: FeedSelection,
  limit: number,
): Promise<Article[]> =>
  selection.kind === 'custom'
    ? selectCustom(store, selection, limit)
    : store.newestFor(selection, limit)

/** RFC 6721 tombstones are written for at most this many recent deletions per feed document. */
export const TOMBSTONES_PER_FEED = 50

const newerDeletionFirst = (a: Deletion, b: Deletion): number =>
  a.deletedAt === b.deletedAt ? (a.id < b.id ? 1 : -1) : a.deletedAt < b.deletedAt ? 1 : -1

/**
 * The latest deletions from a feed's selection, newest first: its tombstones, and (the first) the
 * latest deletion that moved its `updated`. Custom feeds merge those of the facets they include.
 */
export const deletionsOf = async (
  store: ArticleStore,
  selection: FeedSelection,
): Promise<Deletion[]> => {
  if (selection.kind !== 'custom') return store.deletionsFor(selection, TOMBSTONES_PER_FEED)
  const lists = await Promise.all(
    selection.include.map((facet) => store.deletionsFor(facet, TOMBSTONES_PER_FEED)),
  )
  const unique = new Map(lists.flat().map((d) => [d.id, d]))
  return [...unique.values()].sort(newerDeletionFirst).slice(0, TOMBSTONES_PER_FEED)
}
