// One build: find what changed → model → render → parse-back check → publish; returns its report.
import type { Config, CustomFeedConfig, SiteConfig } from '../config.js'
import { buildCatalog, type FeedDefinition, feedUrlPath, viewUrlPath } from '../feeds/catalog.js'
import { FEED_FORMATS, FORMAT_NAMES, type FeedFormat } from '../feeds/formats.js'
import { checkOpml } from '../feeds/check/opml.js'
import { renderIndexPage } from '../feeds/render/index-page.js'
import { OPML_PATH, opmlFeedUrl, renderOpml } from '../feeds/render/opml.js'
import { RENDERERS, type Renderer } from '../feeds/render/index.js'
import { fileFor, listFeedFiles, removeFile, removeOutputFiles } from '../publish/files.js'
import type { PublishedOutput, PublishedOutputs } from '../publish/outputs.js'
import type { ArchiveMonth, Store } from '../store/store.js'
import { proposeIdScheme } from '../feeds/ids.js'
import type { Shelf, ShelvedOutput } from '../publish/shelf.js'
import { archiveFingerprint, startArchiveBuild } from './archives.js'
import { planPages } from './documents.js'
import { createPublisher, elapsed, type Tally } from './publisher.js'
import type { BuildFailure, BuildReport, BuildTimings, QuarantinedItem } from './report.js'

export interface BuilderOptions {
  store: Pick<Store, 'articles' | 'builds'>
  site: SiteConfig
  feedLimit: number
  /** RFC 5005 pages per feed (1: the subscription document only). */
  feedPages?: number
  /** Where the site feed's monthly archives go; no archives without one. */
  shelf?: Shelf
  /**
   * Whether a build that starts with nothing served (start-up) publishes the feeds and leaves the
   * archive months it found due to the next build; the service asks for that build once it serves.
   */
  deferArchivesAtStart?: boolean
  /** The WebSub hub the feeds advertise. */
  hubUrl?: string
  outputs: PublishedOutputs
  feedsDir: string
  /** Feeds defined in the configuration, built like the others. */
  customFeeds?: readonly CustomFeedConfig[]
  /** RSS <ttl> in minutes, from the build schedule. */
  ttlMinutes?: number
  clock?: () => Date
  /** The renderer per format; tests pass broken ones to prove a failing feed is never published. */
  renderers?: Readonly<Record<FeedFormat, Renderer>>
  /**
   * Whether this builder owns the store's change log and drops what it consumed (the service's
   * builder does; a one-off `feedwright build` beside a running service must not).
   */
  ownsChangeLog?: boolean
  /** Runs inside the build lock before anything is read: loads what other instances published. */
  beforeBuild?: () => Promise<void>
  /**
   * Whether `beforeBuild` also brings the shelf up to date with what other instances published, so
   * that it is current for the last build whoever made it (PostgreSQL). Otherwise the shelf is
   * trusted only for the build recorded in its own manifest.
   */
  shelfSynced?: boolean
  /** Runs inside the build lock after publishing: shares what this build changed. */
  afterPublish?: (changes: {
    put: Array<PublishedOutput | ShelvedOutput>
    removed: string[]
  }) => Promise<void>
  /** Called after each feed, with how many of the feeds due are done. */
  onProgress?: (done: number, total: number) => void
  /** Called with the outputs each build published (changed bytes only): WebSub. */
  onPublished?: (outputs: readonly PublishedOutput[]) => Promise<void>
  /** Called with each build's report (logging, notifications). */
  onBuilt?: (report: BuildReport) => void
}

/** The builder options that come from the configuration, the same for `serve` and `build`. */
export const builderSettings = (config: Config) => ({
  site: config.site,
  feedLimit: config.feedLimit,
  feedPages: config.feedPages,
  hubUrl: config.hubUrl,
  ttlMinutes: Math.ceil(config.feedTtlSeconds / 60),
  customFeeds: config.customFeeds,
  feedsDir: config.feedsDir,
})

export interface Builder {
  /** Builds the feeds touched since the last build, or every feed when `full`; keeps its report. */
  build(options: { id: number; full?: boolean }): Promise<BuildReport>
  /**
   * Cuts the running build, and any later one, at the next feed or archive month (shutdown): what
   * was published stays consistent, the change marker does not move, the next start does the rest.
   */
  interrupt(): void
}

const REPORTS_KEPT = 100
const INDEX_PATH = '/'
const INDEX_ARTICLES = 20
const NEVER = '1970-01-01T00:00:00.000Z'

// What the feeds/ folder holds: feeds, pages for people, and (for archives) their .gz and .br.
const FILE_NAMES = [...Object.values(FEED_FORMATS).map((f) => f.file), 'index.html'].flatMap(
  (name) => [name, `${name}.gz`, `${name}.br`],
)

/** The URL path a file under feeds/ serves: /feeds/x/index.html.gz → /feeds/x/. */
const servedPath = (urlPath: string): string =>
  urlPath.replace(/\.(?:gz|br)$/, '').replace(/(^|\/)index\.html$/, '$1')

/** Creates a builder; each build starts from the change marker the store says was last built. */
export const createBuilder = (options: BuilderOptions): Builder => {
  const { store, site, feedLimit, outputs, feedsDir, shelf } = options
  const { clock = () => new Date(), renderers = RENDERERS } = options
  // Archive months a start-up build left for the next one (see deferArchivesAtStart).
  let deferred: Set<string> | undefined
  // Feeds whose last attempt failed are retried every build until they pass.
  const failing = new Set<string>()
  const unshared: Array<PublishedOutput | ShelvedOutput> = []
  let stopping = false

  const modelBase = {
    site,
    ...(options.hubUrl && { hub: options.hubUrl }),
    ...(options.ttlMinutes !== undefined && { ttlMinutes: options.ttlMinutes }),
  }
  const fingerprint = archiveFingerprint(modelBase)
  const { publishText, publishDocuments, quarantined } = createPublisher({
    outputs,
    ...(shelf && { shelf }),
    feedsDir,
    clock,
    renderers,
    modelBase,
  })

  /** The HTML index lists every feed and the latest articles; it follows any change to either. */
  const publishIndex = async (
    catalog: readonly FeedDefinition[],
    months: readonly ArchiveMonth[],
    report: Tally,
  ): Promise<void> => {
    const latest = await store.articles.newestFor({ kind: 'site' }, INDEX_ARTICLES)
    const updated = latest.reduce((d, a) => (a.updatedAt > d ? a.updatedAt : d), NEVER)
    const text = renderIndexPage({ site, catalog, latest, months })
    const fields = { urlPath: INDEX_PATH, feedKey: 'index', format: 'html' as const, text }
    await publishText({ ...fields, updated: new Date(updated) }, report)
    await publishOpml(catalog, new Date(updated), report)
  }

  /** The OPML list of every feed, checked by parsing it back like the feeds. */
  const publishOpml = async (
    catalog: readonly FeedDefinition[],
    updated: Date,
    report: Tally,
  ): Promise<void> => {
    const text = renderOpml(site, catalog)
    const problems = checkOpml(
      text,
      catalog.map((d) => opmlFeedUrl(site, d)),
    )
    if (problems.length > 0) {
      for (const p of problems) report.failures.push({ feed: OPML_PATH, ...p })
      return
    }
    await publishText(
      { urlPath: OPML_PATH, feedKey: 'opml', format: 'opml', text, updated },
      report,
    )
  }

  /** Marks the outcome of a feed or archive; failing ones are retried every build. */
  const settle = (key: string, passed: boolean): void => {
    if (passed) failing.delete(key)
    else failing.add(key)
  }

  const takeDown = async (keep: ReadonlySet<string>, prune: boolean): Promise<string[]> => {
    const published = outputs.list().map((o) => o.urlPath)
    const onDisk = prune ? await listFeedFiles(feedsDir, FILE_NAMES) : []
    const stale = [...new Set([...published, ...onDisk])].filter((path) => {
      const served = servedPath(path)
      return !keep.has(served) && !shelf?.get(served)
    })
    for (const path of stale) {
      outputs.remove(path)
      // An output's compressed files go with it (those found on disk are listed on their own).
      if (servedPath(path) === path) await removeOutputFiles(feedsDir, path)
      else await removeFile(fileFor(feedsDir, path))
    }
    return stale.filter((path) => servedPath(path) === path)
  }

  return {
    interrupt: () => {
      stopping = true
    },
    build: ({ id, full = false }) =>
      store.builds.withBuildLock(async () => {
        const startedAt = clock()
        const started = process.hrtime.bigint()
        const ownsChangeLog = options.ownsChangeLog ?? true
        await options.beforeBuild?.()
        // Scheduled articles whose time has come go live before anything is read.
        await store.articles.releaseDue(startedAt)
        // Recorded by the first build, then read back unchanged whatever SITE_URL becomes.
        const ids = await store.builds.idScheme(proposeIdScheme(site.url, startedAt))
        const last = ownsChangeLog ? await store.builds.builtMarker() : undefined
        const everything = full || last === undefined || outputs.list().length === 0
        const timings: BuildTimings = { queryMs: 0, renderMs: 0, checkMs: 0, publishMs: 0 }
        const tally = {
          timings,
          failures: [] as BuildFailure[],
          quarantined: [] as QuarantinedItem[],
          published: [] as PublishedOutput[],
          shelved: [] as ShelvedOutput[],
          unchanged: 0,
        }

        // Read the marker first: a write landing during the build is built again next time.
        let queryStarted = process.hrtime.bigint()
        const changes = everything
          ? { marker: await store.builds.changeMarker(), touched: new Set<string>() }
          : await store.builds.changedSince(last ?? 0)
        const catalog = buildCatalog(site, await store.articles.facets(), options.customFeeds)
        timings.queryMs += elapsed(queryStarted)
        const due = catalog.filter(
          (d) =>
            everything ||
            d.watches.some((key) => changes.touched.has(key)) ||
            failing.has(d.key) ||
            outputs.get(feedUrlPath(d.path, 'rss')) === undefined,
        )

        const archives = shelf
          ? await startArchiveBuild({
              store,
              shelf,
              site: catalog[0]!,
              fingerprint,
              last,
              // Months a start-up build found due and left for this one were found against the
              // shelf's manifest, so this build may trust the shelf as that one did.
              synced: (options.shelfSynced ?? false) || deferred !== undefined,
              full,
              touched: everything ? undefined : changes.touched,
              failing,
              alsoDue: deferred ?? new Set(),
            })
          : undefined
        // Nothing is served yet at start-up: publish the feeds first and leave the archive (the
        // whole history: minutes for a large store on a first start) to the next build.
        const deferArchives =
          archives !== undefined &&
          options.deferArchivesAtStart === true &&
          outputs.list().length === 0 &&
          archives.due.size > 0
        const newestArchive = archives?.months.at(-1)?.month
        const pageOptions = { pageSize: feedLimit, maxPages: options.feedPages ?? 1 }
        const produced = new Set<string>()
        const siteFeed = catalog[0]!
        const steps = due.length + (deferArchives ? 0 : (archives?.due.size ?? 0))
        let interrupted = false
        for (const [done, definition] of due.entries()) {
          if ((interrupted = stopping)) break
          queryStarted = process.hrtime.bigint()
          const planned = await planPages(store.articles, definition, {
            ...pageOptions,
            ...(definition === siteFeed && newestArchive && { newestArchive }),
          })
          timings.queryMs += elapsed(queryStarted)
          planned.forEach((p) => produced.add(p.document.path))
          settle(definition.key, await publishDocuments(definition, planned, tally, ids))
          options.onProgress?.(done + 1, steps)
        }
        let archiveFailed = false
        let archivesRendered = 0
        if (archives && !deferArchives && !interrupted) {
          queryStarted = process.hrtime.bigint()
          for await (const archive of archives.documents()) {
            if ((interrupted = stopping)) break
            timings.queryMs += elapsed(queryStarted)
            const passed = await publishDocuments(siteFeed, [archive], tally, ids)
            archiveFailed ||= !passed
            settle(archive.key, passed)
            archivesRendered += 1
            options.onProgress?.(due.length + archivesRendered, steps)
            queryStarted = process.hrtime.bigint()
          }
        }

        // Documents of feeds not rebuilt stay; those of feeds or months that are gone go.
        const live = new Set(catalog.map((d) => d.key))
        const rebuilt = new Set(due.map((d) => d.key))
        const keep = new Set([
          INDEX_PATH,
          OPML_PATH,
          ...[...produced].flatMap((path) => [
            viewUrlPath(path),
            ...FORMAT_NAMES.map((f) => feedUrlPath(path, f)),
          ]),
          ...outputs
            .list()
            .filter((o) => live.has(o.feedKey) && !rebuilt.has(o.feedKey))
            .map((o) => o.urlPath),
        ])
        // A build cut short takes nothing down: feeds it did not reach keep their documents.
        const removed = interrupted
          ? []
          : [...(await takeDown(keep, everything)), ...((await archives?.takeDownGone()) ?? [])]
        const indexDue =
          !interrupted &&
          (tally.published.length + tally.shelved.length > 0 ||
            removed.length > 0 ||
            !outputs.get(INDEX_PATH) ||
            !outputs.get(OPML_PATH))
        if (indexDue) await publishIndex(catalog, archives?.months ?? [], tally)
        // Outputs whose sharing failed last time go out again, even if unchanged here since.
        const put = [
          ...new Map(
            [...unshared, ...tally.published, ...tally.shelved].map((o) => [o.urlPath, o]),
          ).values(),
        ]
        try {
          await options.afterPublish?.({ put, removed })
          unshared.length = 0
        } catch (error) {
          unshared.splice(0, unshared.length, ...put)
          throw error
        }
        // Subscribers hear of it from the next start's build (WebSub is closing).
        if (!interrupted) await options.onPublished?.(tally.published)
        if (interrupted) {
          await archives?.saveInterrupted(last, archiveFailed)
        } else if (deferArchives) {
          deferred = archives.due
        } else {
          deferred = undefined
          // A manifest that cannot be written (disk full) leaves the shelf untrusted at the next
          // start, which renders the archive again: a failure to report, not a reason to abandon
          // the build.
          await archives?.save(changes.marker, archiveFailed).catch((error: unknown) => {
            tally.failures.push({
              feed: '/feeds/archive/manifest.json',
              rule: 'publish',
              message: error instanceof Error ? error.message : String(error),
            })
          })
        }
        if (ownsChangeLog && !interrupted) {
          await store.builds.saveBuiltMarker(changes.marker)
          await store.builds.forgetChanges(changes.marker)
        }
        const report: BuildReport = {
          id,
          full: everything,
          startedAt: startedAt.toISOString(),
          finishedAt: clock().toISOString(),
          durationMs: elapsed(started),
          feeds: catalog.length,
          // Each document: its formats and its page for people; then the index and the OPML list.
          rendered:
            (produced.size + archivesRendered) * (FORMAT_NAMES.length + 1) + (indexDue ? 2 : 0),
          archiveMonths: archivesRendered,
          ...(deferArchives && { archiveMonthsDeferred: archives.due.size }),
          published: tally.published.length + tally.shelved.length,
          unchanged: tally.unchanged,
          removed: removed.length,
          failures: tally.failures,
          quarantined: tally.quarantined,
          quarantinedTotal: quarantined().length,
          timings,
          ...(interrupted && { interrupted }),
        }
        await store.builds.saveBuildReport(id, JSON.stringify(report), REPORTS_KEPT)
        options.onBuilt?.(report)
        return report
      }),
  }
}
