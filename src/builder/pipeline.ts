// A build's documents: the feeds due (their pages), then the archive months due, each read from the
// store, produced (produce.ts, on the build threads: workers.ts) and published (publisher.ts) in
// order, with a few in flight, so that memory holds a few documents' rows whatever the history's
// size. Stops at a document boundary when interrupted.
import type { FeedDefinition } from '../feeds/catalog.js'
import { FORMAT_NAMES } from '../feeds/formats.js'
import { feedUrlPath, viewUrlPath } from '../feeds/paths.js'
import { strongEtag } from '../lib/hash.js'
import type { Shelf } from '../publish/shelf.js'
import type { ArticleStore } from '../store/store.js'
import { type DocumentToMake, planPages, type PlannedDocument } from './documents.js'
import type { BuildPlan } from './plan.js'
import type { ModelBase, ProducedDocument } from './produce.js'
import type { Publisher } from './publisher.js'
import { type DocumentsMade, elapsed, type Tally } from './report.js'
import { isLarge, type Producer } from './workers.js'

/** What producing and publishing a document needs, the same for each build of a builder. */
export interface PipelineOptions {
  store: ArticleStore
  modelBase: ModelBase
  producer: Producer
  publisher: Publisher
  /** RFC 5005 pages: articles per page and pages per feed. */
  pages: { pageSize: number; maxPages: number }
  /**
   * What each document kept in memory that this builder rendered was rendered from
   * (PlannedDocument.source), by path; a shelved page's is the shelf's (`sourceOf`), kept across
   * restarts in its manifest.
   */
  pageSources: Map<string, string>
  /** The shelf holding stable pages (publisher.shelves), when there is one. */
  shelf?: Pick<Shelf, 'get' | 'sourceOf' | 'recordSource'>
  /**
   * A fingerprint of the settings a page's bytes depend on besides its source (the model's base,
   * the paging, the rendering's version): recorded with each source, so that a page made under
   * other settings (an earlier run's) is rendered again.
   */
  pageBasis: string
  /** Feeds and archive months whose last attempt failed; updated with each outcome. */
  failing: Set<string>
  /** Whether the build is to stop at the next document (shutdown). */
  stopping: () => boolean
  onProgress?: (done: number, total: number) => void
}

interface Progress {
  done: number
  total: number
}

/** A document being produced, and what to do once it is published. */
interface InFlight {
  produced: Promise<ProducedDocument>
  published: (passed: boolean) => void
}

/**
 * Documents produced a few at a time (two per build thread) and published one by one in the order
 * they were started, so that every thread has work while the serving thread publishes.
 */
interface Window {
  /** `large`: a document produced one at a time (workers.ts), of which fewer wait in flight. */
  add(entry: InFlight, large: boolean): Promise<void>
  /** Publishes every document still in flight. */
  drain(): Promise<void>
}

const openWindow = (options: PipelineOptions, tally: Tally): Window => {
  const queue: InFlight[] = []
  const { parallel, parallelLarge } = options.producer
  const publishNext = async (): Promise<void> => {
    const next = queue.shift()!
    next.published(await options.publisher.publishDocument(await next.produced, tally))
  }
  return {
    add: async (entry, large) => {
      // Awaited in order later; a failure is not left unhandled meanwhile.
      entry.produced.catch(() => undefined)
      queue.push(entry)
      const depth = large ? parallelLarge : parallel
      while (queue.length > depth - 1) await publishNext()
    },
    // Every document still in flight is published (or its staged files removed) even after one
    // failed to be produced; the first failure is then thrown.
    drain: async () => {
      let failed: { error: unknown } | undefined
      while (queue.length > 0) await publishNext().catch((error) => void (failed ??= { error }))
      if (failed) throw failed.error
    },
  }
}

/** Marks the outcome of a feed or archive; failing ones are retried every build. */
const settle = (options: PipelineOptions, key: string, passed: boolean): void => {
  if (passed) options.failing.delete(key)
  else options.failing.add(key)
}

/** The URL paths of a document: each format, then its page for people. */
const urlPathsOf = (path: string): string[] => [
  ...FORMAT_NAMES.map((format) => feedUrlPath(path, format)),
  viewUrlPath(path),
]

/**
 * The ETags served, under the document's key, for its formats that this builder checked (the same
 * bytes again are not checked, compressed nor handed back from a build thread), and for its page
 * for people (not compressed nor handed back).
 */
const servedOf = (publisher: Publisher, planned: PlannedDocument): Record<string, string> => {
  const served: Record<string, string> = {}
  const shelved = publisher.shelves(planned.document)
  for (const urlPath of urlPathsOf(planned.document.path)) {
    const etag = publisher.servedChecked(urlPath, shelved, planned.key)
    if (etag !== undefined) served[urlPath] = etag
  }
  return served
}

/**
 * The ETags served under the document's key that this builder did not check (restored from disk,
 * shelved by an earlier run, loaded from another instance): the same bytes are checked, but not
 * compressed, staged nor handed back (a full rebuild after a restart rewrote every shelved file).
 */
const servedUncheckedOf = (
  publisher: Publisher,
  planned: PlannedDocument,
  served: Readonly<Record<string, string>>,
): Record<string, string> => {
  const unchecked: Record<string, string> = {}
  const shelved = publisher.shelves(planned.document)
  for (const urlPath of urlPathsOf(planned.document.path)) {
    const etag = publisher.servedUnder(urlPath, shelved, planned.key)
    if (etag !== undefined && !(urlPath in served)) unchecked[urlPath] = etag
  }
  return unchecked
}

/**
 * Starts producing a feed's or a month's documents; once all are published, the outcome is
 * settled (failing ones are retried every build) and progress told. `passed` hears of each
 * document published whole.
 */
const makeEach = async (
  context: Pick<Making, 'options' | 'plan' | 'window' | 'progress'>,
  key: string,
  definition: FeedDefinition,
  documents: readonly DocumentToMake[],
  on: { outcome?: (passed: boolean) => void; passed?: (planned: PlannedDocument) => void } = {},
): Promise<void> => {
  const { options, plan, window, progress } = context
  const { modelBase, producer, publisher } = options
  let remaining = documents.length
  let passed = true
  if (remaining === 0) {
    settle(options, key, true)
    options.onProgress?.((progress.done += 1), progress.total)
    return
  }
  const published = (one: boolean) => {
    passed &&= one
    if ((remaining -= 1) > 0) return
    settle(options, key, passed)
    on.outcome?.(passed)
    options.onProgress?.((progress.done += 1), progress.total)
  }
  for (const { planned, rows } of documents) {
    const served = servedOf(publisher, planned)
    const servedUnchecked = servedUncheckedOf(publisher, planned, served)
    const stageIn = publisher.stagingDir(planned.document)
    const { ids } = plan
    const input = { modelBase, ids, definition, planned, served, servedUnchecked, stageIn }
    const done = (one: boolean) => {
      if (one) on.passed?.(planned)
      published(one)
    }
    const produced = producer.produce(input, rows)
    await window.add({ produced, published: done }, isLarge(input))
  }
}

/** What the feeds and archive months of one build share as they are made. */
interface Making {
  options: PipelineOptions
  plan: BuildPlan
  /** A full build (asked for): every page is rendered again. */
  full: boolean
  window: Window
  progress: Progress
  tally: Tally
}

/** The source a page is recorded with: its digest under the settings it was rendered with. */
const withBasis = (options: PipelineOptions, source: string): string =>
  `${options.pageBasis} ${source}`

// Bump when page rendering changes, so that stable pages shelved by older code are rendered again.
const PAGE_RENDERING = 1

/** PipelineOptions.pageBasis: what besides its source a page's bytes depend on. */
export const pageFingerprint = (modelBase: ModelBase, pages: PipelineOptions['pages']): string =>
  strongEtag(new TextEncoder().encode(JSON.stringify({ PAGE_RENDERING, modelBase, pages })))

/** What a document was last rendered from, as recorded: on the shelf or in memory. */
const recordedSource = (options: PipelineOptions, planned: PlannedDocument) =>
  options.publisher.shelves(planned.document)
    ? options.shelf?.sourceOf(planned.document.path)
    : options.pageSources.get(planned.document.path)

/** Records what a document published whole was rendered from. */
const recordSource = (options: PipelineOptions, planned: PlannedDocument): void => {
  if (planned.source === undefined) return
  const { path } = planned.document
  const source = withBasis(options, planned.source)
  if (options.publisher.shelves(planned.document)) options.shelf?.recordSource(path, source)
  else options.pageSources.set(path, source)
}

/**
 * A page rendered from the same rows, links, tombstones and settings, and still served: rendering
 * it again would give the same bytes. One kept in memory counts when this builder checked what it
 * serves (a build of everything renders it whole); a shelved one (a stable page) also when an
 * earlier run of the builder shelved it, as the shelf's manifest records (unless the build is a
 * full one, or the first on this store). A failing feed is rendered whole.
 */
const unchanged = ({ options, plan, full }: Making, planned: PlannedDocument): boolean => {
  if (planned.source === undefined || options.failing.has(planned.key)) return false
  if (recordedSource(options, planned) !== withBasis(options, planned.source)) return false
  return options.publisher.shelves(planned.document)
    ? !full && plan.last !== undefined && shelvesEveryOutput(options, planned)
    : !plan.everything && servesEveryFormat(options.publisher, planned)
}

/** Whether each format of the document is served as this builder checked it. */
const servesEveryFormat = (publisher: Publisher, planned: PlannedDocument): boolean => {
  const served = servedOf(publisher, planned)
  return FORMAT_NAMES.every((format) => feedUrlPath(planned.document.path, format) in served)
}

/** Whether the shelf holds each format of the document and its page for people. */
const shelvesEveryOutput = (options: PipelineOptions, planned: PlannedDocument): boolean =>
  urlPathsOf(planned.document.path).every((urlPath) => options.shelf?.get(urlPath) !== undefined)

const makeFeeds = async (
  making: Making,
): Promise<{ produced: Set<string>; rendered: number; interrupted: boolean }> => {
  const { options, plan, tally } = making
  const produced = new Set<string>()
  let rendered = 0
  const siteFeed = plan.catalog[0]!
  const newest = plan.archives?.newest
  for (const definition of plan.due) {
    if (options.stopping()) return { produced, rendered, interrupted: true }
    const queryStarted = process.hrtime.bigint()
    const pages = await planPages(options.store, definition, {
      ...options.pages,
      count: plan.counts.get(definition.key),
      ...(definition === siteFeed &&
        newest && { newestArchive: newest.month, newestPart: newest.part }),
    })
    tally.timings.queryMs += elapsed(queryStarted)
    pages.forEach(({ planned }) => produced.add(planned.document.path))
    const documents = pages.filter(({ planned }) => !unchanged(making, planned))
    rendered += documents.length
    await makeEach(making, definition.key, definition, documents, {
      passed: (p) => recordSource(options, p),
    })
  }
  return { produced, rendered, interrupted: false }
}

const makeArchives = async (
  making: Making,
): Promise<{ rendered: number; failed: boolean; interrupted: boolean }> => {
  const { options, plan, tally } = making
  const made = { rendered: 0, failed: false, interrupted: false }
  if (!plan.archives || plan.deferArchives) return made
  // An archive month's outcome is known once it is published, after later ones may have started.
  const outcome = (passed: boolean) => void (made.failed ||= !passed)
  let queryStarted = process.hrtime.bigint()
  for await (const archive of plan.archives.documents()) {
    if ((made.interrupted = options.stopping())) break
    tally.timings.queryMs += elapsed(queryStarted)
    await makeEach(making, archive.planned.key, plan.catalog[0]!, [archive], {
      outcome,
      // As it is: the shelf's basis holds the settings the archive was made under (archives.ts).
      passed: (part) => {
        if (part.source !== undefined) options.shelf?.recordSource(part.document.path, part.source)
      },
    })
    made.rendered += 1
    queryStarted = process.hrtime.bigint()
  }
  return made
}

/** What the documents came to, with whether an archive month failed (its shelf is not current). */
export type PipelineResult = DocumentsMade & { archiveFailed: boolean }

/** Forgets the sources of documents no longer served from memory (taken down, or shelved). */
const pruneSources = ({ pageSources, publisher }: PipelineOptions): void => {
  for (const path of pageSources.keys()) {
    if (publisher.servedChecked(feedUrlPath(path, 'rss'), false) === undefined)
      pageSources.delete(path)
  }
}

/**
 * Produces and publishes the documents of the feeds due, then those of the archive months due;
 * `full`: a build asked to render everything.
 */
export const makeDocuments = async (
  options: PipelineOptions,
  plan: BuildPlan,
  tally: Tally,
  full = false,
): Promise<PipelineResult> => {
  pruneSources(options)
  const archivesDue = plan.archives?.due.size ?? 0
  const progress = { done: 0, total: plan.due.length + (plan.deferArchives ? 0 : archivesDue) }
  const window = openWindow(options, tally)
  const making = { options, plan, full, window, progress, tally }
  const feeds = await makeFeeds(making).finally(() => window.drain())
  const archives = feeds.interrupted
    ? { rendered: 0, failed: false, interrupted: true }
    : await makeArchives(making).finally(() => window.drain())
  return {
    produced: feeds.produced,
    pagesRendered: feeds.rendered,
    archivesRendered: archives.rendered,
    archivesDeferred: plan.deferArchives ? archivesDue : 0,
    interrupted: archives.interrupted,
    archiveFailed: archives.failed,
  }
}
