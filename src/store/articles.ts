// The articles contract: what is written, kept aside until due, and asked for by the feed builder.
import type { Article } from '../articles/schema.js'
import { slugify } from '../lib/slug.js'

export type FacetKind = 'category' | 'tag' | 'author'

/**
 * Which articles a feed holds: all of them, those under one category, tag or author, or those
 * published in one month ('2026-11', UTC: the site's archive documents).
 */
export type Selection =
  { kind: 'site' } | { kind: FacetKind; slug: string } | { kind: 'month'; slug: string }

/** A month of the archive and how many live articles were published in it. */
export interface ArchiveMonth {
  /** 'YYYY-MM', UTC */
  month: string
  count: number
}

/** A category, tag or author with the label to show and how many live articles it has. */
export interface Facet {
  kind: FacetKind
  slug: string
  label: string
  count: number
}

/** Where a page of articles ends: the (publishedAt, id) of its last article, for keyset paging. */
export interface Cursor {
  publishedAt: string
  id: string
}

/** A deleted article: its id and when it was deleted (ISO). */
export interface Deletion {
  id: string
  deletedAt: string
}

/**
 * The store of articles. Every method is async so that adapters over a network (PostgreSQL) and
 * embedded ones (SQLite) are interchangeable. Each write is atomic and notes the selections it
 * touched in the change log that the build log reads (build-log.ts).
 */
export interface ArticleStore {
  /**
   * Inserts or replaces one article; `created` tells which. An article not due yet (a draft, or
   * scheduled: see articles/schedule.ts) is kept aside, in no selection, facet, month or count,
   * until `releaseDue`; making a live article not due takes it out as a deletion, now.
   */
  upsert(article: Article): Promise<{ created: boolean }>
  /** Inserts or replaces many articles in one transaction: all or nothing; as `upsert` each. */
  upsertMany(articles: readonly Article[]): Promise<void>
  /** A live article, or one kept aside (scheduled or draft). */
  get(id: string): Promise<Article | undefined>
  /** The articles of those ids that exist, live or kept aside, by id: one query for a batch. */
  getMany(ids: readonly string[]): Promise<Map<string, Article>>
  /**
   * Deletes and remembers the deletion at `at`, so feeds drop the item and move `updated`; an
   * article kept aside was never published, so it just goes.
   */
  delete(id: string, at: Date): Promise<boolean>
  /** Makes the articles kept aside whose time has come at `now` live; returns how many. */
  releaseDue(now: Date): Promise<number>
  /** When (ISO) the next article kept aside falls due; undefined when none is scheduled. */
  nextDue(): Promise<string | undefined>
  /** The articles kept aside: scheduled ones, next due first (ties by id), then drafts by id. */
  keptAside(limit: number): Promise<Article[]>
  /**
   * Newest first by publishedAt, ties by id (descending); at most `limit`, strictly after `after`
   * when given. Cost independent of store size (an index walk and LIMIT, also when paging).
   */
  newestFor(selection: Selection, limit: number, after?: Cursor): Promise<Article[]>
  /** The latest deletions from the selection, newest first (ties by id), at most `limit`. */
  deletionsFor(selection: Selection, limit: number): Promise<Deletion[]>
  /** Every category, tag and author with at least one article. */
  facets(): Promise<Facet[]>
  /** Every month with at least one article, oldest first. */
  months(): Promise<ArchiveMonth[]>
  /** How many articles the store holds, live or kept aside (an empty store is seeded). */
  count(): Promise<number>
}

/** A stable string key for a selection, used in change sets and the feed catalog. */
export const selectionKey = (selection: Selection): string =>
  selection.kind === 'site' ? 'site' : `${selection.kind}:${selection.slug}`

/** The categories, tags and authors an article appears under, with the labels to show. */
export const articleFacets = (article: Article): Array<Omit<Facet, 'count'>> => [
  ...article.categories.map((label) => ({
    kind: 'category' as const,
    slug: slugify(label),
    label,
  })),
  ...article.tags.map((label) => ({ kind: 'tag' as const, slug: slugify(label), label })),
  ...uniqueBySlug(article.authors.map((a) => a.name)).map((label) => ({
    kind: 'author' as const,
    slug: slugify(label),
    label,
  })),
]

/** The UTC month an article was published in, 'YYYY-MM' (stored dates are UTC ISO strings). */
export const monthOf = (publishedAt: string): string => publishedAt.slice(0, 7)

/** Every selection an article is indexed under besides the site: its facets and its month. */
export const articleIndexes = (
  article: Article,
): Array<{ kind: FacetKind | 'month'; slug: string; label: string }> => [
  ...articleFacets(article),
  { kind: 'month', slug: monthOf(article.publishedAt), label: monthOf(article.publishedAt) },
]

const uniqueBySlug = (labels: string[]): string[] =>
  labels.filter((label, i) => labels.findIndex((l) => slugify(l) === slugify(label)) === i)
