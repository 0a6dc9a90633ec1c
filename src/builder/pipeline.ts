// A build's documents: the feeds due (their pages), then the archive months due, each read from the
// store, produced (produce.ts, on the build threads: workers.ts) and published (publisher.ts) in
// order, with a few in flight, so that memory holds a few documents' rows whatever the history's
// size. Stops at a document boundary when interrupted.
import type { FeedDefinition } from '../feeds/catalog.js'
import { FORMAT_NAMES } from '../feeds/formats.js'
import { feedUrlPath, viewUrlPath } from '../feeds/paths.js'
import type { ArticleStore } from '../store/store.js'
import { planPages, type PlannedDocument } from './documents.js'
import type { BuildPlan } from './plan.js'
import type { ModelBase, ProducedDocument } from './produce.js'
import type { Publisher } from './publisher.js'
import { type DocumentsMade, elapsed, type Tally } from './report.js'
import type { Producer } from './workers.js'

/** What producing and publishing a document needs, the same for each build of a builder. */
export interface PipelineOptions {
  store: ArticleStore
  modelBase: ModelBase
  producer: Producer
  publisher: Publisher
  /** RFC 5005 pages: articles per page and pages per feed. */
  pages: { pageSize: number; maxPages: number }
  /** What each page this builder rendered was rendered from (PlannedDocument.source), by path. */
  pageSources: Map<string, string>
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
  add(entry: InFlight): Promise<void>
  /** Publishes every document still in flight. */
  drain(): Promise<void>
}

const openWindow = (options: PipelineOptions, tally: Tally): Window => {
  const queue: InFlight[] = []
  const depth = options.producer.parallel
  const publishNext = async (): Promise<void> => {
    const next = queue.shift()!
    next.published(await options.publisher.publishDocument(await next.produced, tally))
  }
  return {
    add: async (entry) => {
      // Awaited in order later; a failure is not left unhandled meanwhile.
      entry.produced.catch(() => undefined)
      queue.push(entry)
      while (queue.length > depth - 1) await publishNext()
    },
    drain: async () => {
      while (queue.length > 0) await publishNext()
    },
  }
}

/** Marks the outcome of a feed or archive; failing ones are retried every build. */
const settle = (options: PipelineOptions, key: string, passed: boolean): void => {
  if (passed) options.failing.delete(key)
  else options.failing.add(key)
}

/**
 * The ETags served for a document's formats that this builder checked (same bytes: no check), and
 * for its page for people (same bytes: not compressed again).
 */
const servedOf = (publisher: Publisher, planned: PlannedDocument): Record<string, string> => {
  const served: Record<string, string> = {}
  const { path, archive } = planned.document
  const urlPaths = [...FORMAT_NAMES.map((format) => feedUrlPath(path, format)), viewUrlPath(path)]
  for (const urlPath of urlPaths) {
    const etag = publisher.servedChecked(urlPath, archive)
    if (etag !== undefined) served[urlPath] = etag
  }
  return served
}

/**
 * Starts producing a feed's or a month's documents; once all are published, the outcome is
 * settled (failing ones are retried every build) and progress told.
 */
const makeEach = async (
  context: Pick<Making, 'options' | 'plan' | 'window' | 'progress'>,
  key: string,
  definition: FeedDefinition,
  planned: readonly PlannedDocument[],
  outcome?: (passed: boolean) => void,
): Promise<void> => {
  const { options, plan, window, progress } = context
  const { modelBase, producer, publisher } = options
  let remaining = planned.length
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
    outcome?.(passed)
    options.onProgress?.((progress.done += 1), progress.total)
  }
  for (const document of planned) {
    const served = servedOf(publisher, document)
    const input = { modelBase, ids: plan.ids, definition, planned: document, served }
    await window.add({ produced: producer.produce(input), published })
  }
}

/** What the feeds and archive months of one build share as they are made. */
interface Making {
  options: PipelineOptions
  plan: BuildPlan
  window: Window
  progress: Progress
  tally: Tally
}

/**
 * A page this builder rendered from the same rows, links and tombstones and still serves as it
 * checked it: rendering it again would give the same bytes. A failing feed, and every feed in a
 * build of everything, is rendered whole.
 */
const unchanged = (options: PipelineOptions, plan: BuildPlan, planned: PlannedDocument) =>
  !plan.everything &&
  planned.source !== undefined &&
  !options.failing.has(planned.key) &&
  options.pageSources.get(planned.document.path) === planned.source &&
  servesEveryFormat(options.publisher, planned)

/** Whether each format of the document is served as this builder checked it. */
const servesEveryFormat = (publisher: Publisher, planned: PlannedDocument): boolean => {
  const served = servedOf(publisher, planned)
  return FORMAT_NAMES.every((format) => feedUrlPath(planned.document.path, format) in served)
}

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
    const planned = await planPages(options.store, definition, {
      ...options.pages,
      count: plan.counts.get(definition.key),
      ...(definition === siteFeed &&
        newest && { newestArchive: newest.month, newestPart: newest.part }),
    })
    tally.timings.queryMs += elapsed(queryStarted)
    planned.forEach((p) => produced.add(p.document.path))
    const changed = planned.filter((p) => !unchanged(options, plan, p))
    changed.forEach((p) => options.pageSources.set(p.document.path, p.source!))
    rendered += changed.length
    await makeEach(making, definition.key, definition, changed)
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
    await makeEach(making, archive.key, plan.catalog[0]!, [archive], outcome)
    made.rendered += 1
    queryStarted = process.hrtime.bigint()
  }
  return made
}

/** What the documents came to, with whether an archive month failed (its shelf is not current). */
export type PipelineResult = DocumentsMade & { archiveFailed: boolean }

/** Produces and publishes the documents of the feeds due, then those of the archive months due. */
export const makeDocuments = async (
  options: PipelineOptions,
  plan: BuildPlan,
  tally: Tally,
): Promise<PipelineResult> => {
  const archivesDue = plan.archives?.due.size ?? 0
  const progress = { done: 0, total: plan.due.length + (plan.deferArchives ? 0 : archivesDue) }
  const window = openWindow(options, tally)
  const making = { options, plan, window, progress, tally }
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
