// The report of one build: what it did, how long it took, and why any feed was not published.

export interface BuildFailure {
  /** URL path of the output that was not published. */
  feed: string
  rule: string
  message: string
}

/**
 * An article left out of one document because the document failed its check with it and passed
 * without it: the feed goes on being published, the item waits for an edit (or a fix) instead.
 */
export interface QuarantinedItem {
  /** URL path of the document's subscription format (its RSS), e.g. /feeds/tags/nasa/rss.xml. */
  feed: string
  article: string
  /** The rules the document failed with the article alone in it, comma-separated. */
  rule: string
  message: string
}

export interface BuildTimings {
  queryMs: number
  renderMs: number
  checkMs: number
  publishMs: number
}

export interface BuildReport {
  id: number
  full: boolean
  startedAt: string
  finishedAt: string
  durationMs: number
  /** Feeds in the catalog at build time. */
  feeds: number
  /**
   * Outputs rendered in this build: for each document due (a feed's pages, an archive month) its
   * three formats and its page for people, and the index page if due.
   */
  rendered: number
  /** Archive months rendered (each is four of `rendered`). */
  archiveMonths: number
  /** Archive months left for the next build (a start-up build publishes the feeds first). */
  archiveMonthsDeferred?: number
  /** Rendered outputs whose bytes changed and were published. */
  published: number
  /** Rendered outputs equal to what was already served. */
  unchanged: number
  /** Outputs of feeds that no longer exist, taken down. */
  removed: number
  failures: BuildFailure[]
  /** Items left out of documents rendered in this build (see QuarantinedItem). */
  quarantined: QuarantinedItem[]
  /**
   * Items left out of the documents served now, by this build or earlier ones: the number a
   * readiness check or a metrics gauge reads.
   */
  quarantinedTotal: number
  timings: BuildTimings
  /**
   * The build was cut at a feed or archive-month boundary (shutdown): what it published stays,
   * the change marker does not move, and the next build does the rest.
   */
  interrupted?: boolean
}
