// The plan of one build: what changed since the last one, the catalog of feeds, the feeds due and
// the archive months due. Every question the build asks the store before producing is asked here.
import type { CustomFeedConfig, SiteConfig } from '../config.js'
import { buildCatalog, type FeedDefinition } from '../feeds/catalog.js'
import { feedUrlPath } from '../feeds/paths.js'
import { proposeIdScheme } from '../feeds/ids.js'
import type { PublishedOutputs } from '../publish/outputs.js'
import { isRestored } from '../publish/restore.js'
import type { Shelf } from '../publish/shelf.js'
import { type ChangeSet, type IdScheme, selectionKey, type Store } from '../store/store.js'
import { type ArchiveBuild, startArchiveBuild } from './archives.js'
import type { ArchiveBounds } from './documents.js'
import { elapsed, type BuildTimings } from './report.js'

/** What a builder plans from, the same for each of its builds. */
export interface PlanSources {
  store: Pick<Store, 'articles' | 'builds'>
  site: SiteConfig
  customFeeds: readonly CustomFeedConfig[] | undefined
  outputs: PublishedOutputs
  /**
   * Where the site feed's monthly archives go, with the fingerprint of the settings they use and
   * the bounds of one archive document.
   */
  archives?: { shelf: Shelf; fingerprint: string; bounds: ArchiveBounds }
  /**
   * Whether this builder owns the store's change log (see BuilderOptions.ownsChangeLog); one that does not
   * builds everything.
   */
  ownsChangeLog: boolean
  /** Whether a build that starts with nothing served leaves the archive months to the next. */
  deferArchivesAtStart: boolean
}

/** What differs from one build to the next. */
export interface PlanRequest {
  full: boolean
  startedAt: Date
  /** The shelf is current for the last build, whoever made it (brought up to date by a hook). */
  shelfCurrent: boolean
  /** Feeds and archive months whose last attempt failed: retried every build until they pass. */
  failing: ReadonlySet<string>
  /** Archive months the previous build (at start-up) found due and left for this one. */
  deferred: ReadonlySet<string> | undefined
  timings: BuildTimings
}

export interface BuildPlan {
  /** The store's id scheme, recorded by the first build. */
  ids: IdScheme
  /** The change marker the previous build consumed; undefined when unknown or not owned. */
  last: number | undefined
  /** Every feed is due: a full build, a first one, or one with nothing served. */
  everything: boolean
  /** The marker this build consumes, and what changed up to it (nothing listed when everything). */
  changes: ChangeSet
  catalog: FeedDefinition[]
  /**
   * Live items per feed key, for the site and each facet (their stable pages are cut from the
   * oldest end, so they need the size); custom feeds have none.
   */
  counts: ReadonlyMap<string, number>
  /** The feeds to produce, in catalog order. */
  due: FeedDefinition[]
  archives: ArchiveBuild | undefined
  /** Archive months are due but left to the next build (nothing was served when this one began). */
  deferArchives: boolean
}

/** Reads what changed and decides what this build produces. */
export const planBuild = async (from: PlanSources, request: PlanRequest): Promise<BuildPlan> => {
  const { store, outputs } = from
  // Scheduled articles whose time has come go live before anything is read.
  await store.articles.releaseDue(request.startedAt)
  // Recorded by the first build, then read back unchanged whatever SITE_URL becomes.
  const ids = await store.builds.idScheme(proposeIdScheme(from.site.url, request.startedAt))
  const last = from.ownsChangeLog ? await store.builds.builtMarker() : undefined
  // Outputs restored from feeds/ at start-up are no build's: while any is served, every feed is
  // due (each restored one is replaced or taken down), but the shelf is trusted as on any restart.
  const served = outputs.list()
  const built = served.some((o) => !isRestored(o))
  const everything = request.full || last === undefined || !built || served.some(isRestored)
  // Read the marker first: a write landing during the build is built again next time.
  const queryStarted = process.hrtime.bigint()
  const changes = everything
    ? { marker: await store.builds.changeMarker(), touched: new Set<string>() }
    : await store.builds.changedSince(last ?? 0)
  const facets = await store.articles.facets()
  const catalog = buildCatalog(from.site, facets, from.customFeeds)
  const counts = new Map(facets.map((f) => [selectionKey(f), f.count]))
  counts.set(
    'site',
    (await store.articles.months()).reduce((sum, m) => sum + m.count, 0),
  )
  request.timings.queryMs += elapsed(queryStarted)
  const due = catalog.filter(
    (d) =>
      everything ||
      d.watches.some((key) => changes.touched.has(key)) ||
      request.failing.has(d.key) ||
      outputs.get(feedUrlPath(d.path, 'rss')) === undefined,
  )
  const archives = await planArchives(from, request, { last, everything, changes, catalog })
  // Nothing a build made is served yet at start-up: publish the feeds first and leave the archive
  // (the whole history: minutes for a large store on a first start) to the next build.
  const deferArchives =
    archives !== undefined && from.deferArchivesAtStart && !built && archives.due.size > 0
  return { ids, last, everything, changes, catalog, counts, due, archives, deferArchives }
}

const planArchives = (
  from: PlanSources,
  request: PlanRequest,
  plan: Pick<BuildPlan, 'last' | 'everything' | 'changes' | 'catalog'>,
): Promise<ArchiveBuild> | undefined =>
  from.archives &&
  startArchiveBuild({
    store: from.store,
    shelf: from.archives.shelf,
    site: plan.catalog[0]!,
    fingerprint: from.archives.fingerprint,
    bounds: from.archives.bounds,
    last: plan.last,
    // Months a start-up build found due and left for this one were found against the shelf's
    // manifest, so this build may trust the shelf as that one did.
    synced: request.shelfCurrent || request.deferred !== undefined,
    full: request.full,
    touched: plan.everything ? undefined : plan.changes.touched,
    failing: request.failing,
    alsoDue: request.deferred ?? new Set(),
  })
