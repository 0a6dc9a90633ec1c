// The ArticleStore contract: questions the feed builder asks, answered by any adapter.
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
 * How item and feed ids are minted, recorded in the store the first time the site is built and
 * never changed afterwards, so that ids survive a move of SITE_URL: an RFC 4151 `tag:` authority
 * and date, or, for a store that published URL ids before tag ids existed, the base URL it used.
 */
export type IdScheme =
  { kind: 'tag'; authority: string; date: string } | { kind: 'url'; base: string }

/** Selections touched by writes after a marker, and the marker to ask from next time. */
export interface ChangeSet {
  marker: number
  /** Keys as `selectionKey` gives them; empty when nothing changed. */
  touched: ReadonlySet<string>
}

/**
 * The store of articles. Every method is async so that adapters over a network (PostgreSQL) and
 * embedded ones (SQLite) are interchangeable. Each write is atomic.
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
  /** The selections touched by writes after `marker` (0: since the beginning). */
  changedSince(marker: number): Promise<ChangeSet>
  /** The marker of the latest write, without the selections (cheap: for full builds). */
  changeMarker(): Promise<number>
  /** Drops the change log up to `marker`, once a build has consumed it. */
  forgetChanges(marker: number): Promise<void>
  /** A build id never handed out before, by any instance sharing this store. */
  nextBuildId(): Promise<number>
  /** The change marker the last build consumed (shared by every instance), if any build ran. */
  builtMarker(): Promise<number | undefined>
  saveBuiltMarker(marker: number): Promise<void>
  /**
   * Runs `build` while holding the store-wide build lock, so that instances sharing the store build
   * one at a time; a lock whose holder dies is released by the store.
   */
  withBuildLock<T>(build: () => Promise<T>): Promise<T>
  /** Keeps a build report (opaque JSON) under its id; only the newest `keep` are retained. */
  saveBuildReport(id: number, json: string, keep: number): Promise<void>
  buildReport(id: number): Promise<string | undefined>
  /** The report with the highest id, with that id. */
  latestBuildReport(): Promise<{ id: number; json: string } | undefined>
  /**
   * The id scheme recorded for this store. With none recorded, records `fresh`; a store upgraded
   * from URL ids (its migration marks it) records `legacy`, whose base is the SITE_URL of then.
   */
  idScheme(proposal: { fresh: IdScheme; legacy: IdScheme }): Promise<IdScheme>
  /** WebSub subscriptions to the feeds, kept by the hub. */
  subscriptions: SubscriptionStore
  close(): Promise<void>
}

/** A WebSub subscriber of one topic (feed URL), confirmed by intent verification. */
export interface Subscription {
  topic: string
  callback: string
  /** HMAC key for X-Hub-Signature, as the subscriber gave it. */
  secret?: string
  leaseSeconds: number
  /** ISO instant after which the subscription is dropped unless renewed. */
  expiresAt: string
  /** ETag of the version last delivered, so a restart's rebuild does not deliver it again. */
  deliveredEtag?: string
}

export interface SubscriptionStore {
  /** Inserts or renews the subscription of (topic, callback); what was delivered is kept. */
  put(subscription: Omit<Subscription, 'deliveredEtag'>): Promise<void>
  markDelivered(topic: string, callback: string, etag: string): Promise<void>
  remove(topic: string, callback: string): Promise<boolean>
  /** Subscriptions of the topic whose lease runs past `now` (ISO). */
  live(topic: string, now: string): Promise<Subscription[]>
  /** Deletes the subscriptions whose lease ended at or before `now`, and returns them. */
  expire(now: string): Promise<Subscription[]>
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
