// Wires the running service: config → directories → store (seeded, or reached later) → what the last
// run left, or a first build → schedule → HTTP server; and stops it (build cut, connections closed).
import { type ServerType, serve } from '@hono/node-server'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import { loadFixtureArticles } from './articles/fixtures.js'
import { type Builder, builderSettings, createBuilder } from './builder/builder.js'
import { type BuildReport, buildFields, describeBuild } from './builder/report.js'
import { createDueTimer, type DueTimer } from './builder/due-timer.js'
import { createScheduler, type Scheduler } from './builder/scheduler.js'
import type { Config } from './config.js'
import { ARCHIVE_ROOT } from './feeds/paths.js'
import { createApp } from './http/app.js'
import { headWithLength } from './http/head-length.js'
import { createPublishedOutputs, type PublishedOutputs } from './publish/outputs.js'
import { sweepTemporaries } from './publish/files.js'
import { openShelf, type Shelf } from './publish/shelf.js'
import { openPostgresOutputSync, type OutputSync, shareBuilds } from './publish/postgres-sync.js'
import { observedResponse } from './http/observe.js'
import { keepTickObjectMaps } from './http/tick-objects.js'
import { prepareDirectory } from './lib/directories.js'
import { describeError, type Logger } from './log.js'
import { createMetrics, type Metrics } from './metrics.js'
import { isRestored, restorePublished } from './publish/restore.js'
import { type BuildStatus, createReadiness } from './readiness.js'
import { isUnreachable, openStore, reachStore } from './store/open.js'
import type { Store } from './store/store.js'
import { putArticles } from './store/write-path.js'
import { type Hub, startWebSub, type WebSub } from './websub/index.js'

export type { Logger } from './log.js'

/** Connections still open this long after shutdown began (slow or stalled clients) are cut. */
const CONNECTION_GRACE_MS = 3_000
/** WebSub deliveries in flight at shutdown get this long; the rest are retried by nobody. */
const WEBSUB_GRACE_MS = 1_000

export interface Service {
  url: string
  config: Config
  store: Store
  outputs: PublishedOutputs
  scheduler: Scheduler
  websub: WebSub
  /** The monthly archives on disk, unless ARCHIVES=false. */
  shelf: Shelf | undefined
  /** The Prometheus metrics, unless METRICS=false. */
  metrics: Metrics | undefined
  lastBuild(): BuildReport | undefined
  /**
   * Stops: no new connections, in-flight requests finish (connections still open after a grace
   * are cut), a running build is cut at its next feed or archive month, the store is closed.
   */
  close(): Promise<void>
}

export interface StartOptions {
  /** Aborted on SIGTERM/SIGINT: a start-up build is cut short, so that start-up can stop. */
  signal?: AbortSignal
  /**
   * Builds before opening the port even when feeds/ holds what the last run left, serving that
   * only if the build fails (as before restoring came first). For callers that need a build done
   * when the service resolves; a store unreachable at start-up still does not wait.
   */
  buildBeforeListening?: boolean
  /**
   * false: opens no port (the cluster's primary builds while its workers serve); `url` is then
   * empty and nothing is served by this process.
   */
  listen?: boolean
  /** Wraps the outputs and the shelf before anything publishes into them (the cluster's mirror). */
  wrap?: (local: Omit<Published, 'sync'>) => Omit<Published, 'sync'>
  /** Told whenever a build ends or fails, after the status was updated. */
  onBuildStatus?: (status: BuildStatus) => void
}

/** Seeds an empty store when the config names a seed folder (only the demo's does). */
const seed = async (store: Store, config: Config, log: Logger): Promise<void> => {
  if (config.seedFrom === undefined || (await store.articles.count()) > 0) return
  const fixtures = await loadFixtureArticles(config.seedFrom)
  await putArticles(store.articles, fixtures, { now: new Date() })
  log.info(`seeded an empty store with ${fixtures.length} articles from ${config.seedFrom}`)
}

/** The store, and while PostgreSQL is still being reached at start-up, when it is. */
interface Opened {
  store: Store
  /** Resolves once a store that was unreachable at start-up is open, seeded and synced. */
  reached: Promise<void> | undefined
}

/**
 * Opens the store, seeded. A PostgreSQL that cannot be reached does not stop the start: it is
 * tried again with backoff, and `prepare` (the output sync) runs once it answers, before anything
 * else reaches it.
 */
const openSeededStore = async (
  config: Config,
  log: Logger,
  prepare: (store: Store) => Promise<void>,
): Promise<Opened> => {
  const open = () => openStore(config, log)
  const store = await open().catch((error: unknown) => {
    // SQLite opens a local file: a failure there is for the operator, not for waiting out.
    if (config.databaseUrl === undefined || !isUnreachable(error)) throw error
    return reachStore(open, error, {
      retryBaseMs: config.buildRetryBaseMs,
      retryMaxMs: config.buildRetryMaxMs,
      prepare: async (reached) => {
        await seed(reached, config, log)
        await prepare(reached)
        log.info('the store answers again: building')
      },
      onFailure: (cause, attempts, waitMs) =>
        log.error(
          `the store cannot be reached (attempt ${attempts}); serving what ${config.feedsDir} ` +
            `holds and trying again in ${waitMs} ms`,
          cause,
        ),
    })
  })
  if ('opened' in store) return { store: store.store, reached: store.opened }
  await seed(store, config, log).catch(async (error: unknown) => {
    await store.close()
    throw error
  })
  return { store, reached: undefined }
}

/** Where outputs are served from: memory, the shelf, and (PostgreSQL) what other instances share. */
export interface Published {
  outputs: PublishedOutputs
  shelf: Shelf | undefined
  sync: OutputSync | undefined
}

/**
 * The output sync (PostgreSQL), opened with the store, at start-up or once it answers: until then
 * loading and sharing fail (no build can start before the store answers anyway).
 */
const lateSync = (config: Config, log: Logger, local: Omit<Published, 'sync'>) => {
  let sync: OutputSync | undefined
  const notYet = () => Promise.reject(new Error('publish/postgres-sync: the store is not reached'))
  return {
    /** Opens it and loads what other instances published; returns how many outputs. */
    open: async (databaseUrl: string): Promise<number> => {
      const opened = await openPostgresOutputSync({
        connectionString: databaseUrl,
        schema: config.databaseSchema,
        outputs: local.outputs,
        feedsDir: config.feedsDir,
        connectTimeoutMs: config.databaseConnectTimeoutMs,
        statementTimeoutMs: config.databaseStatementTimeoutMs,
        ...(local.shelf && { shelf: local.shelf }),
        onError: (error) => log.error('output sync failed', error),
      })
      const shared = await opened.load().catch(async (error: unknown) => {
        await opened.close().catch(() => undefined)
        throw error
      })
      sync = opened
      if (shared > 0) log.info(`loaded ${shared} outputs published by other instances`)
      return shared
    },
    sync: {
      load: () => sync?.load() ?? notYet(),
      publish: (changes) => sync?.publish(changes) ?? notYet(),
      close: async () => sync?.close(),
    } satisfies OutputSync,
  }
}

/** How old a temporary file under feeds/ must be to count as left over (none is written longer). */
const LEFTOVER_AFTER_MS = 10 * 60_000

/**
 * Removes, in the background, temporary files under feeds/ that an earlier run (or a build thread
 * that died) wrote and never renamed into place.
 */
const sweepLeftovers = (feedsDir: string, log: Logger): void => {
  sweepTemporaries(feedsDir, LEFTOVER_AFTER_MS).then(
    (removed) => removed > 0 && log.info(`removed ${removed} temporary files left in FEEDS_DIR`),
    (error: unknown) => log.error('could not sweep temporary files from FEEDS_DIR', error),
  )
}

/**
 * Opens the outputs, the shelf, the store (seeded) and the sync, loading what other instances
 * published. Directories that cannot be used fail the start fast and clearly.
 */
const openParts = async (
  config: Config,
  log: Logger,
  wrap: StartOptions['wrap'] = (local) => local,
): Promise<{ published: Published; opened: Opened; shared: number }> => {
  // First, before the start's full collections (see http/tick-objects.ts).
  keepTickObjectMaps()
  await prepareDirectory(config.feedsDir, 'FEEDS_DIR')
  sweepLeftovers(config.feedsDir, log)
  if (config.databaseUrl === undefined) await prepareDirectory(config.dataDir, 'DATA_DIR')
  const { outputs, shelf } = wrap({
    outputs: createPublishedOutputs(),
    shelf: config.archives ? await openShelf(config.feedsDir, log) : undefined,
  })
  const { databaseUrl } = config
  const late = databaseUrl === undefined ? undefined : lateSync(config, log, { outputs, shelf })
  const opened = await openSeededStore(
    config,
    log,
    async () => void (await late?.open(databaseUrl!)),
  )
  const published = { outputs, shelf, sync: late?.sync }
  if (late === undefined || opened.reached) return { published, opened, shared: 0 }
  const shared = await late.open(databaseUrl!).catch(async (error: unknown) => {
    await opened.store.close()
    throw error
  })
  return { published, opened, shared }
}

/** What the builds feed: readiness, the due timer, metrics, and one log line per build. */
const buildReporter =
  (
    status: BuildStatus,
    changed: () => void,
    { dueTimer, metrics, log }: { dueTimer: DueTimer; metrics: Metrics | undefined; log: Logger },
  ) =>
  (report: BuildReport): void => {
    status.latest = report
    status.lastSuccessAt = new Date(report.finishedAt)
    delete status.lastError
    delete status.firstBuildPending
    changed()
    dueTimer.arm()
    metrics?.build(report)
    // One line per build with its figures; an error line when outputs were not published or
    // articles were left out.
    if (report.failures.length === 0 && report.quarantined.length === 0)
      log.info(describeBuild(report), buildFields(report))
    else log.error(describeBuild(report), undefined, buildFields(report))
  }

interface Builds {
  builder: Builder
  scheduler: Scheduler
  dueTimer: DueTimer
  status: BuildStatus
}

/** The builder (sharing its outputs when several instances do), its scheduler and due timer. */
const wireBuilds = (
  parts: {
    config: Config
    log: Logger
    store: Store
    published: Published
    /** The start serves nothing yet: readiness waits for a first build to end. */
    nothingServed: boolean
  },
  websub: WebSub,
  metrics: Metrics | undefined,
  onBuildStatus?: (status: BuildStatus) => void,
): Builds => {
  const { config, log, store, published } = parts
  const { outputs, shelf, sync } = published
  const status: BuildStatus = parts.nothingServed ? { firstBuildPending: true } : {}
  const changed = () => onBuildStatus?.(status)
  // Told once at the start too: a cluster's workers learn a first build is pending from it.
  changed()
  // A scheduled article is published within moments of its time, not at the next cron tick.
  const dueTimer = createDueTimer({
    nextDue: store.articles.nextDue,
    // A failed build is logged (and retried) by the scheduler itself.
    onDue: () => void scheduler.rebuild().catch(() => undefined),
    onError: (error) => log.error('cannot read when the next scheduled article is due', error),
  })
  const builder = createBuilder({
    settings: builderSettings(config),
    dependencies: { store, outputs, ...(shelf && { shelf }), log },
    deferArchivesAtStart: true,
    ...(sync && { hooks: shareBuilds(sync) }),
    on: {
      published: websub.published,
      built: buildReporter(status, changed, { dueTimer, metrics, log }),
    },
  })
  // Outputs restored from feeds/ are no build's: the next build builds every feed (builder/plan.ts).
  const scheduler = createScheduler({
    build: ({ id, full }) => builder.build({ id, full }),
    cron: config.feedCron,
    nextId: store.builds.nextBuildId,
    debounceMs: config.rebuildDebounceMs,
    retryBaseMs: config.buildRetryBaseMs,
    retryMaxMs: config.buildRetryMaxMs,
    onError: (error, id) => {
      status.lastError = { at: new Date(), message: describeError(error) }
      changed()
      metrics?.buildFailed()
      log.error(`build ${id ?? 'without an id (the store handed none out)'} failed`, error)
    },
  })
  return { builder, scheduler, dueTimer, status }
}

/** Serves what the last run left in feeds/ (the shelf serves its archive months); how many. */
const restoreLastRun = (
  config: Config,
  { outputs, shelf }: Pick<Published, 'outputs' | 'shelf'>,
): Promise<number> =>
  restorePublished({
    feedsDir: config.feedsDir,
    outputs,
    skip: (path) => path.startsWith(ARCHIVE_ROOT) || shelf?.get(path) !== undefined,
  })

/**
 * The build before listening, when there was nothing to restore (a first start, or when asked).
 * A first instance builds everything; one starting beside it waits for the build lock, loads what
 * the first published, and finds nothing left to build.
 */
const firstBuild = async (
  config: Config,
  log: Logger,
  { outputs, shelf }: Pick<Published, 'outputs' | 'shelf'>,
  builds: Builds,
) => {
  if (outputs.list().length > 0) return
  try {
    await builds.scheduler.rebuild()
  } catch {
    // The store cannot build now (disk full, server away): serve what the last run published
    // rather than fail to start; the scheduler retries with backoff until a build succeeds.
    const count = await restoreLastRun(config, { outputs, shelf })
    // Readiness names what is served now: the last run's outputs, not a first build's.
    if (count > 0) delete builds.status.firstBuildPending
    log.error(
      `the start-up build failed: serving ${count} outputs the last run left in ` +
        `${config.feedsDir} until a build succeeds (retried by itself)`,
    )
  }
}

/**
 * The builds started once the port is open: the first one, when the start served what the last
 * run left (once the store answers, if it did not at start); then the archive months a start-up
 * build left, rendered while requests are served.
 */
const buildWhileServing = (
  start: { config: Config; log: Logger; builds: Builds; closing: () => boolean },
  restored: number,
  reached: Promise<void> | undefined,
): void => {
  const { config, log, builds } = start
  const first =
    reached === undefined && restored === 0
      ? Promise.resolve(builds.status.latest)
      : (reached ?? Promise.resolve()).then(() =>
          builds.scheduler.rebuild().catch((error: unknown) => {
            log.error(
              `the start-up build failed: serving ${restored} outputs the last run left in ` +
                `${config.feedsDir} until a build succeeds (retried by itself)`,
            )
            throw error
          }),
        )
  first
    .then((report) =>
      report?.archiveMonthsDeferred && !start.closing() ? builds.scheduler.rebuild() : undefined,
    )
    .catch(() => undefined) // logged by the scheduler's onError
}

/** Everything a running service holds, to serve with and to close. */
interface Parts {
  config: Config
  log: Logger
  store: Store
  published: Published
  metrics: Metrics | undefined
  websub: WebSub
  builds: Builds
}

/** What an HTTP server serves from and reports on: this service's parts, or a cluster worker's. */
export interface Serving {
  config: Config
  log: Logger
  store: Store
  published: Omit<Published, 'sync'>
  metrics: Metrics | undefined
  /** The built-in WebSub hub that takes subscriptions, absent with an external hub. */
  hub: Hub | undefined
  scheduler: Scheduler
  status: () => BuildStatus
  /** A cluster worker: named by /healthz, so that one can tell which process answered. */
  worker?: { id: number; pid: number }
}

const servingOf = ({ config, log, store, published, metrics, websub, builds }: Parts): Serving => ({
  config,
  log,
  store,
  published,
  metrics,
  hub: websub.hub,
  scheduler: builds.scheduler,
  status: () => builds.status,
})

/** The Hono app over the published outputs, the store and the builds. */
const appOf = (serving: Serving, startedAt: Date) => {
  const { config, log, store, published, metrics, hub, scheduler, status } = serving
  const { outputs, shelf } = published
  return createApp({
    outputs,
    store,
    scheduler,
    adminToken: config.adminToken,
    clock: () => new Date(),
    lastBuild: () => status().latest,
    notReady: createReadiness({
      published: () => outputs.list().length,
      restored: () => outputs.list().filter(isRestored).length,
      status,
      feedsDir: config.feedsDir,
      pingStore: () => store.articles.count(),
      periodSeconds: config.feedTtlSeconds,
      periods: config.readyBuildPeriods,
      startedAt,
    }),
    ...(metrics && {
      metrics: {
        render: metrics.render,
        contentType: metrics.registry.contentType,
        token: config.metricsToken,
      },
    }),
    maxAgeSeconds: config.feedTtlSeconds,
    siteUrl: config.site.url,
    hubUrl: config.hubUrl,
    ...(hub && { hub, hubRequestsPerMinute: config.websub.requestsPerMinute }),
    ...(serving.worker && { worker: serving.worker }),
    ...(shelf && { shelf }),
    politePollingSeconds: config.politePollingSeconds,
    trustProxy: config.trustProxy,
    log: (error) => log.error('request failed', error),
  })
}

/** Opens the port; resolves once it listens. */
export const listen = (serving: Serving, startedAt: Date): Promise<ServerType> => {
  const { config, log, metrics } = serving
  const app = appOf(serving, startedAt)
  return new Promise<ServerType>((resolve, reject) => {
    const s = serve(
      {
        fetch: headWithLength(app.fetch),
        port: config.port,
        hostname: config.host,
        // Metrics and the access log see each response as it ends (nothing per request else).
        serverOptions: {
          ServerResponse: observedResponse({
            ...(metrics && { count: metrics.request }),
            ...(config.accessLog && { access: (fields) => log.info('request', { ...fields }) }),
          }),
        },
      },
      () => resolve(s),
    )
    s.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        new Error(
          error.code === 'EADDRINUSE'
            ? `port ${config.port} on ${config.host} is in use; set PORT to another one`
            : `cannot listen on ${config.host}:${config.port}: ${error.message}`,
        ),
      ),
    )
  })
}

/** Stops what runs besides the HTTP server: builds cut, WebSub, the sync, the store. */
const stopBesidesServer = async ({ builds, websub, published, store }: Parts): Promise<void> => {
  builds.builder.interrupt()
  builds.dueTimer.stop()
  websub.close()
  await builds.scheduler.stop()
  await builds.builder.close()
  await published.sync?.close()
  await store.close()
}

/** No new connections; in-flight requests finish, and those still open after a grace are cut. */
export const closeServer = async (server: ServerType): Promise<void> => {
  const http = server as Server
  const closed = new Promise<void>((resolve) => http.close(() => resolve()))
  http.closeIdleConnections()
  const grace = setTimeout(() => http.closeAllConnections(), CONNECTION_GRACE_MS)
  await closed.finally(() => clearTimeout(grace))
}

/**
 * The shutdown: no new connections, in-flight requests finish (those still open after a grace are
 * cut) while a running build is cut; WebSub deliveries in flight get a grace; then the store.
 */
const closeService = async (parts: Parts, server: ServerType | undefined): Promise<void> => {
  const { builds, websub, published, store } = parts
  builds.builder.interrupt()
  builds.dueTimer.stop()
  await Promise.all([server && closeServer(server), builds.scheduler.stop()])
  await builds.builder.close()
  websub.close()
  await Promise.race([websub.idle(), sleep(WEBSUB_GRACE_MS, undefined, { ref: false })])
  await published.sync?.close()
  await store.close()
}

/** The URL a listening server answers at. */
export const urlOf = (config: Config, server: ServerType): string => {
  const { port } = server.address() as AddressInfo
  const host = config.host.includes(':') ? `[${config.host}]` : config.host
  return `http://${host}:${port}`
}

/**
 * Starts the service and resolves once the port is open: serving what the last run left in feeds/
 * (the first build runs meanwhile), or, with nothing to restore, once a first build published.
 * With PostgreSQL, outputs other instances published are served at once, without building; a
 * server that cannot be reached is tried again with backoff while feeds/ is served.
 */
export const startService = async (
  config: Config,
  log: Logger,
  options: StartOptions = {},
): Promise<Service> => {
  const { signal, buildBeforeListening = false } = options
  const startedAt = new Date()
  const { published, opened, shared } = await openParts(config, log, options.wrap)
  const { store, reached } = opened
  const restoreFirst = shared === 0 && (reached !== undefined || !buildBeforeListening)
  const restored = restoreFirst ? await restoreLastRun(config, published) : 0
  if (restored > 0)
    log.info(
      `serving ${restored} outputs the last run left in ${config.feedsDir} until a build succeeds`,
    )
  const metrics = config.metrics
    ? createMetrics({ articles: () => store.articles.count() })
    : undefined
  const websub = startWebSub({
    settings: config.websub,
    hubUrl: config.hubUrl,
    siteUrl: config.site.url,
    outputs: published.outputs,
    ...(published.shelf && { shelf: published.shelf }),
    subscriptions: store.subscriptions,
    log,
    ...(metrics && { onEvent: metrics.webSub }),
  })
  // Until a build ends, whatever a start with nothing to serve publishes is part of its first.
  const builds = wireBuilds(
    { config, log, store, published, nothingServed: restored === 0 && shared === 0 },
    websub,
    metrics,
    options.onBuildStatus,
  )
  if (signal?.aborted) builds.builder.interrupt()
  else signal?.addEventListener('abort', () => builds.builder.interrupt(), { once: true })
  if (reached === undefined && restored === 0) await firstBuild(config, log, published, builds)
  builds.scheduler.start()
  const parts = { config, log, store, published, metrics, websub, builds }
  const server =
    options.listen === false
      ? undefined
      : await listen(servingOf(parts), startedAt).catch(async (error: unknown) => {
          await stopBesidesServer(parts)
          throw error
        })
  let closing = false
  buildWhileServing({ config, log, builds, closing: () => closing }, restored, reached)
  return {
    url: server ? urlOf(config, server) : '',
    config,
    store,
    outputs: published.outputs,
    scheduler: builds.scheduler,
    websub,
    shelf: published.shelf,
    metrics,
    lastBuild: () => builds.status.latest,
    close: () => {
      closing = true
      return closeService(parts, server)
    },
  }
}
