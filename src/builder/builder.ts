// One build, as its phases: plan (what changed → documents due) → produce and publish, a document at
// a time → retire (what is gone) → the site's pages → record and report.
import type { Config, CustomFeedConfig, SiteConfig } from '../config.js'
import { RENDERERS } from '../feeds/render/index.js'
import type { Logger } from '../log.js'
import type { PublishedOutput, PublishedOutputs } from '../publish/outputs.js'
import type { Shelf, ShelvedOutput } from '../publish/shelf.js'
import type { Store } from '../store/store.js'
import { archiveFingerprint } from './archives.js'
import { type ArchiveBounds, DEFAULT_ARCHIVE_BOUNDS } from './documents.js'
import {
  makeDocuments,
  pageFingerprint,
  type PipelineOptions,
  type PipelineResult,
} from './pipeline.js'
import { type BuildPlan, planBuild, type PlanSources } from './plan.js'
import type { ModelBase, Renderers } from './produce.js'
import { pacedReads } from './paced-store.js'
import { createWorkerPool, defaultThreads, inProcess, type Producer } from './workers.js'
import { createPublisher, type Publisher } from './publisher.js'
import { recordBuild } from './record.js'
import { type BuildReport, elapsed, newTally, type Tally, toReport } from './report.js'
import { retire } from './retire.js'
import { publishSitePages, sitePagesDue } from './site-pages.js'

/** What the configuration decides, the same for `serve` and `build` (see builderSettings). */
export interface BuildSettings {
  site: SiteConfig
  feedLimit: number
  /** RFC 5005 pages per feed (1: the subscription document only). */
  feedPages?: number
  /** The WebSub hub the feeds advertise. */
  hubUrl?: string
  /** RSS <ttl> in minutes, from the build schedule. */
  ttlMinutes?: number
  /** Feeds defined in the configuration, built like the others. */
  customFeeds?: readonly CustomFeedConfig[]
  /** Items and estimated bytes of articles one archive document holds at most. */
  archiveBounds?: ArchiveBounds
  feedsDir: string
  /**
   * Worker threads producing documents; 0 or unset: in-process (builderSettings gives the service
   * and `feedwright build` BUILD_THREADS, or `defaultThreads()` when it is unset).
   */
  buildThreads?: number
  /** The old generation of each build thread's heap, MiB (default BUILD_THREAD_HEAP_MB). */
  buildThreadHeapMb?: number
}

/** What a build reads from and publishes to. */
export interface BuildDependencies {
  store: Pick<Store, 'articles' | 'builds'>
  outputs: PublishedOutputs
  /** Where the site feed's monthly archives go; no archives without one. */
  shelf?: Shelf
  clock?: () => Date
  /**
   * The renderer per format; tests pass broken ones to prove a failing feed is never published.
   * Functions cannot be sent to a worker thread, so renderers passed in run in-process.
   */
  renderers?: Renderers
  /** Where the build threads say they failed (documents are then produced in-process). */
  log?: Pick<Logger, 'error'>
}

/** What a build tells whoever started it. */
export interface BuildCallbacks {
  /** After each feed or archive month, with how many of the documents due are done. */
  progress?: (done: number, total: number) => void
  /**
   * With the outputs each build published (changed bytes only), in memory or on the shelf (stable
   * pages, archives): WebSub.
   */
  published?: (outputs: ReadonlyArray<PublishedOutput | ShelvedOutput>) => Promise<void>
  /** With each build's report (logging, notifications). */
  built?: (report: BuildReport) => void
}

/** What a build published and took down. */
export interface BuildChanges {
  put: Array<PublishedOutput | ShelvedOutput>
  removed: string[]
}

/**
 * Steps another module adds inside the build lock, around the phases: the service composes the
 * sharing of outputs between instances here (publish/postgres-sync.ts `shareBuilds`).
 */
export interface BuildHooks {
  /** Before the plan reads anything; says whether the shelf is now current for the last build. */
  beforePlan(): Promise<{ shelfCurrent: boolean }>
  /** After publishing and taking down, before the report; a failure fails the build. */
  afterPublish(changes: BuildChanges): Promise<void>
}

export interface BuilderOptions {
  settings: BuildSettings
  dependencies: BuildDependencies
  on?: BuildCallbacks
  hooks?: BuildHooks
  /**
   * Whether this builder owns the store's change log and drops what it consumed (the service's
   * builder does; a one-off `feedwright build` beside a running service must not).
   */
  ownsChangeLog?: boolean
  /**
   * Whether a build that starts with nothing served (start-up) publishes the feeds and leaves the
   * archive months it found due to the next build; the service asks for that build once it serves.
   */
  deferArchivesAtStart?: boolean
}

/** The builder settings that come from the configuration, the same for `serve` and `build`. */
export const builderSettings = (config: Config): BuildSettings => ({
  site: config.site,
  feedLimit: config.feedLimit,
  feedPages: config.feedPages,
  hubUrl: config.hubUrl,
  ttlMinutes: Math.ceil(config.feedTtlSeconds / 60),
  customFeeds: config.customFeeds,
  archiveBounds: { items: config.archiveDocumentItems, bytes: config.archiveDocumentBytes },
  feedsDir: config.feedsDir,
  buildThreads: config.buildThreads ?? defaultThreads(),
  ...(config.buildThreadHeapMb !== undefined && { buildThreadHeapMb: config.buildThreadHeapMb }),
})

export interface Builder {
  /** Builds the feeds touched since the last build, or every feed when `full`; keeps its report. */
  build(options: { id: number; full?: boolean }): Promise<BuildReport>
  /**
   * Cuts the running build, and any later one, at the next feed or archive month (shutdown): what
   * was published stays consistent, the change marker does not move, the next start does the rest.
   */
  interrupt(): void
  /**
   * Ends the build threads (a document they still hold is produced in-process). Idle threads do
   * not keep the process alive, so a builder never closed does not hold up an exit.
   */
  close(): Promise<void>
}

const REPORTS_KEPT = 100

/** A builder's parts and what it remembers from one build to the next. */
interface BuilderState {
  options: BuilderOptions
  clock: () => Date
  sources: PlanSources
  pipeline: PipelineOptions
  publisher: Publisher
  /** Feeds and archive months whose last attempt failed are retried every build until they pass. */
  failing: Set<string>
  /** Archive months a start-up build left for the next one (see deferArchivesAtStart). */
  deferred: ReadonlySet<string> | undefined
  stopping: boolean
}

const modelBaseOf = ({ site, hubUrl, ttlMinutes }: BuildSettings): ModelBase => ({
  site,
  ...(hubUrl && { hub: hubUrl }),
  ...(ttlMinutes !== undefined && { ttlMinutes }),
})

/** Where documents are produced: the build threads, or in-process for renderers passed in. */
const producerOf = ({ settings, dependencies }: BuilderOptions): Producer => {
  const { renderers, log } = dependencies
  const threads = settings.buildThreads ?? 0
  if (renderers || threads === 0) return inProcess(renderers ?? RENDERERS)
  const { buildThreadHeapMb: heapMb } = settings
  return createWorkerPool(threads, { ...(log && { log }), ...(heapMb && { heapMb }) })
}

const builderState = (options: BuilderOptions): BuilderState => {
  const { settings } = options
  const { outputs, shelf, clock = () => new Date() } = options.dependencies
  // Reads paced one per turn of the event loop, so that requests are served between them.
  const store = {
    ...options.dependencies.store,
    articles: pacedReads(options.dependencies.store.articles),
  }
  const modelBase = modelBaseOf(settings)
  const { feedsDir, archiveBounds: bounds = DEFAULT_ARCHIVE_BOUNDS } = settings
  const publisher = createPublisher({ outputs, ...(shelf && { shelf }), feedsDir, clock })
  const pages = { pageSize: settings.feedLimit, maxPages: settings.feedPages ?? 1 }
  const failing = new Set<string>()
  const state: BuilderState = {
    options,
    clock,
    publisher,
    failing,
    deferred: undefined,
    stopping: false,
    sources: {
      store,
      site: settings.site,
      customFeeds: settings.customFeeds,
      outputs,
      ...(shelf && {
        archives: { shelf, fingerprint: archiveFingerprint(modelBase, bounds), bounds },
      }),
      ownsChangeLog: options.ownsChangeLog ?? true,
      deferArchivesAtStart: options.deferArchivesAtStart ?? false,
    },
    pipeline: {
      store: store.articles,
      modelBase,
      producer: producerOf(options),
      publisher,
      pages,
      pageSources: new Map(),
      ...(shelf && { shelf }),
      pageBasis: pageFingerprint(modelBase, pages),
      failing,
      stopping: () => state.stopping,
      ...(options.on?.progress && { onProgress: options.on.progress }),
    },
  }
  return state
}

/** Retires what is gone and makes the site's pages; returns what was taken down. */
const finishOutputs = async (
  b: BuilderState,
  plan: BuildPlan,
  made: PipelineResult,
  tally: Tally,
): Promise<{ removed: string[]; sitePages: boolean }> => {
  if (made.interrupted) return { removed: [], sitePages: false }
  const { outputs, store } = b.sources
  const shelf = b.sources.archives?.shelf
  const { feedsDir, site } = b.options.settings
  const { catalog, due, archives, everything } = plan
  const retiring = { outputs, shelf, feedsDir, catalog, due, archives, produced: made.produced }
  const removed = await retire({ ...retiring, prune: everything })
  const sitePages = sitePagesDue(outputs, tally, removed.length)
  const months = plan.archives?.months ?? []
  const pages = {
    site,
    catalog: plan.catalog,
    months,
    store: store.articles,
    publisher: b.publisher,
  }
  if (sitePages) await publishSitePages(pages, tally)
  return { removed, sitePages }
}

/** Turns what the build did into its report, keeps it and hands it on. */
const report = async (
  b: BuilderState,
  build: { id: number; startedAt: Date; started: bigint; plan: BuildPlan; made: PipelineResult },
  outcome: { removed: string[]; sitePages: boolean; tally: Tally },
): Promise<BuildReport> => {
  const { id, plan, made } = build
  const done = toReport({
    id,
    full: plan.everything,
    startedAt: build.startedAt,
    finishedAt: b.clock(),
    durationMs: elapsed(build.started),
    feeds: plan.catalog.length,
    made,
    sitePages: outcome.sitePages,
    tally: outcome.tally,
    removed: outcome.removed.length,
    quarantinedTotal: b.publisher.quarantined().length,
  })
  await b.sources.store.builds.saveBuildReport(id, JSON.stringify(done), REPORTS_KEPT)
  b.options.on?.built?.(done)
  return done
}

/** One build, inside the build lock. */
const build = async (b: BuilderState, id: number, full: boolean): Promise<BuildReport> => {
  const { on, hooks } = b.options
  const startedAt = b.clock()
  const started = process.hrtime.bigint()
  const { shelfCurrent } = (await hooks?.beforePlan()) ?? { shelfCurrent: false }
  const tally = newTally()
  const request = { full, startedAt, shelfCurrent, failing: b.failing, deferred: b.deferred }
  const plan = await planBuild(b.sources, { ...request, timings: tally.timings })
  const made = await makeDocuments(b.pipeline, plan, tally, full)
  const { removed, sitePages } = await finishOutputs(b, plan, made, tally)
  await hooks?.afterPublish({ put: [...tally.published, ...tally.shelved], removed })
  // Subscribers hear of it from the next start's build (WebSub is closing).
  if (!made.interrupted) await on?.published?.([...tally.published, ...tally.shelved])
  b.deferred = await recordBuild({ ...b.sources, plan, made, deferred: b.deferred }, tally)
  return report(b, { id, startedAt, started, plan, made }, { removed, sitePages, tally })
}

/** Creates a builder; each build starts from the change marker the store says was last built. */
export const createBuilder = (options: BuilderOptions): Builder => {
  const state = builderState(options)
  return {
    interrupt: () => {
      state.stopping = true
    },
    build: ({ id, full = false }) =>
      state.sources.store.builds.withBuildLock(() => build(state, id, full)),
    close: () => state.pipeline.producer.close(),
  }
}
