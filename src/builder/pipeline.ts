// A build's documents, one at a time: the feeds due (their pages), then the archive months due, each
// read from the store, produced (produce.ts) and published (publisher.ts), so that memory holds one
// document's rows whatever the history's size. Stops at a document boundary when interrupted.
import type { FeedDefinition } from '../feeds/catalog.js'
import type { ArticleStore } from '../store/store.js'
import { planPages, type PlannedDocument } from './documents.js'
import type { BuildPlan } from './plan.js'
import { type ModelBase, produceDocument, type Renderers } from './produce.js'
import type { Publisher } from './publisher.js'
import { type DocumentsMade, elapsed, type Tally } from './report.js'

/** What producing and publishing a document needs, the same for each build of a builder. */
export interface PipelineOptions {
  store: ArticleStore
  modelBase: ModelBase
  renderers: Renderers
  publisher: Publisher
  /** RFC 5005 pages: articles per page and pages per feed. */
  pages: { pageSize: number; maxPages: number }
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

/** Produces and publishes a feed's or a month's documents; false if any failed. */
const makeEach = async (
  options: PipelineOptions,
  plan: BuildPlan,
  definition: FeedDefinition,
  planned: readonly PlannedDocument[],
  tally: Tally,
): Promise<boolean> => {
  const { modelBase, renderers, publisher } = options
  let passed = true
  for (const document of planned) {
    const input = { modelBase, ids: plan.ids, definition, planned: document, renderers }
    const produced = await produceDocument(input)
    passed = (await publisher.publishDocument(produced, tally)) && passed
  }
  return passed
}

/** Marks the outcome of a feed or archive; failing ones are retried every build. */
const settle = (options: PipelineOptions, key: string, passed: boolean): void => {
  if (passed) options.failing.delete(key)
  else options.failing.add(key)
}

const makeFeeds = async (
  options: PipelineOptions,
  plan: BuildPlan,
  tally: Tally,
  progress: Progress,
): Promise<{ produced: Set<string>; interrupted: boolean }> => {
  const produced = new Set<string>()
  const siteFeed = plan.catalog[0]!
  const newest = plan.archives?.newest
  for (const definition of plan.due) {
    if (options.stopping()) return { produced, interrupted: true }
    const queryStarted = process.hrtime.bigint()
    const planned = await planPages(options.store, definition, {
      ...options.pages,
      ...(definition === siteFeed &&
        newest && { newestArchive: newest.month, newestPart: newest.part }),
    })
    tally.timings.queryMs += elapsed(queryStarted)
    planned.forEach((p) => produced.add(p.document.path))
    settle(options, definition.key, await makeEach(options, plan, definition, planned, tally))
    options.onProgress?.((progress.done += 1), progress.total)
  }
  return { produced, interrupted: false }
}

const makeArchives = async (
  options: PipelineOptions,
  plan: BuildPlan,
  tally: Tally,
  progress: Progress,
): Promise<{ rendered: number; failed: boolean; interrupted: boolean }> => {
  const made = { rendered: 0, failed: false, interrupted: false }
  if (!plan.archives || plan.deferArchives) return made
  let queryStarted = process.hrtime.bigint()
  for await (const archive of plan.archives.documents()) {
    if ((made.interrupted = options.stopping())) break
    tally.timings.queryMs += elapsed(queryStarted)
    const passed = await makeEach(options, plan, plan.catalog[0]!, [archive], tally)
    made.failed ||= !passed
    settle(options, archive.key, passed)
    made.rendered += 1
    options.onProgress?.((progress.done += 1), progress.total)
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
  const feeds = await makeFeeds(options, plan, tally, progress)
  const archives = feeds.interrupted
    ? { rendered: 0, failed: false, interrupted: true }
    : await makeArchives(options, plan, tally, progress)
  return {
    produced: feeds.produced,
    archivesRendered: archives.rendered,
    archivesDeferred: plan.deferArchives ? archivesDue : 0,
    interrupted: archives.interrupted,
    archiveFailed: archives.failed,
  }
}
