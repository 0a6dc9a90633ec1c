// The report of one build: what it did, how long it took, and why any feed was not published; the
// tally a build keeps on the way, and the report's one log line.
import { FORMAT_NAMES } from '../feeds/formats.js'
import type { PublishedOutput } from '../publish/outputs.js'
import type { ShelvedOutput } from '../publish/shelf.js'

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
   * Outputs rendered in this build: for each document rendered (a feed's page whose rows, links or
   * tombstones changed, an archive part) its three formats and its page for people, and the index
   * page and the OPML list if due.
   */
  rendered: number
  /** Archive documents rendered: parts of months (each is four of `rendered`). */
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

/** Milliseconds since `since` (a process.hrtime.bigint() reading). */
export const elapsed = (since: bigint): number => Number(process.hrtime.bigint() - since) / 1e6

/** What one build has done so far; `toReport` turns it into the report. */
export interface Tally {
  timings: BuildTimings
  failures: BuildFailure[]
  /** Items left out of the documents this build published (quarantine.ts). */
  quarantined: QuarantinedItem[]
  published: PublishedOutput[]
  /** Outputs written to the shelf (archives): on disk, not in memory. */
  shelved: ShelvedOutput[]
  unchanged: number
}

export const newTally = (): Tally => ({
  timings: { queryMs: 0, renderMs: 0, checkMs: 0, publishMs: 0 },
  failures: [],
  quarantined: [],
  published: [],
  shelved: [],
  unchanged: 0,
})

/** What a build's documents came to, besides the tally (see pipeline.ts). */
export interface DocumentsMade {
  /** Paths of the feed documents of the feeds due (rendered, or unchanged and kept). */
  produced: ReadonlySet<string>
  /** Of those, the documents rendered: the others were served from the same rows and links. */
  pagesRendered: number
  archivesRendered: number
  /** Months found due and left for the next build (a start-up build publishes the feeds first). */
  archivesDeferred: number
  interrupted: boolean
}

export interface ReportInput {
  id: number
  full: boolean
  startedAt: Date
  finishedAt: Date
  durationMs: number
  feeds: number
  made: DocumentsMade
  /** Whether the index page and the OPML list were produced. */
  sitePages: boolean
  removed: number
  tally: Tally
  quarantinedTotal: number
}

/** The report of a build from what it did. */
export const toReport = (r: ReportInput): BuildReport => ({
  id: r.id,
  full: r.full,
  startedAt: r.startedAt.toISOString(),
  finishedAt: r.finishedAt.toISOString(),
  durationMs: r.durationMs,
  feeds: r.feeds,
  // Each document: its formats and its page for people; then the index and the OPML list.
  rendered:
    (r.made.pagesRendered + r.made.archivesRendered) * (FORMAT_NAMES.length + 1) +
    (r.sitePages ? 2 : 0),
  archiveMonths: r.made.archivesRendered,
  ...(r.made.archivesDeferred > 0 && { archiveMonthsDeferred: r.made.archivesDeferred }),
  published: r.tally.published.length + r.tally.shelved.length,
  unchanged: r.tally.unchanged,
  removed: r.removed,
  failures: r.tally.failures,
  quarantined: r.tally.quarantined,
  quarantinedTotal: r.quarantinedTotal,
  timings: r.tally.timings,
  ...(r.made.interrupted && { interrupted: true }),
})

const months = (n: number): string => `${n} archive month${n === 1 ? '' : 's'}`

/** A build's one line for people. */
export const describeBuild = (r: BuildReport): string =>
  `build ${r.id}${r.full ? ' (full)' : ''}${r.interrupted ? ' interrupted by shutdown' : ''}: ` +
  `${r.feeds} feeds, ${r.rendered} outputs rendered` +
  `${r.archiveMonths > 0 ? ` (${months(r.archiveMonths)})` : ''}, ` +
  `${r.published} published, ${r.unchanged} unchanged, ${r.removed} removed, ` +
  `${r.failures.length} failed` +
  `${r.quarantinedTotal > 0 ? `, ${r.quarantinedTotal} items quarantined` : ''}` +
  ` in ${Math.round(r.durationMs)} ms` +
  `${r.archiveMonthsDeferred ? `; ${months(r.archiveMonthsDeferred)} to render next` : ''}`

/** A build's figures, as the fields of its one log line. */
export const buildFields = (r: BuildReport) => ({
  build: r.id,
  full: r.full,
  ...(r.interrupted && { interrupted: true }),
  feeds: r.feeds,
  rendered: r.rendered,
  archiveMonths: r.archiveMonths,
  ...(r.archiveMonthsDeferred && { archiveMonthsDeferred: r.archiveMonthsDeferred }),
  published: r.published,
  unchanged: r.unchanged,
  removed: r.removed,
  failed: r.failures.length,
  durationMs: Math.round(r.durationMs),
  ...(r.failures.length > 0 && {
    failures: r.failures.map(({ feed, rule, message }) => ({ feed, rule, message })),
  }),
  ...(r.quarantined.length > 0 && {
    quarantined: r.quarantined.map(({ article, feed, rule, message }) => ({
      article,
      feed,
      rule,
      message,
    })),
  }),
})
