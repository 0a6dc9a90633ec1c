// Wires the running service: config → directories → store (seeded) → first build → schedule →
// HTTP server (readiness, metrics, access log); and stops it (build cut, connections closed).
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
import { openShelf, type Shelf } from './publish/shelf.js'
import { openPostgresOutputSync, type OutputSync, shareBuilds } from './publish/postgres-sync.js'
import { observedResponse } from './http/observe.js'
import { prepareDirectory } from './lib/directories.js'
import { describeError, type Logger } from './log.js'
import { createMetrics, type Metrics } from './metrics.js'
import { restorePublished } from './publish/restore.js'
import { type BuildStatus, createReadiness } from './readiness.js'
import { openStore } from './store/open.js'
import type { Store } from './store/store.js'
import { putArticles } from './store/write-path.js'
import { startWebSub, type WebSub } from './websub/index.js'

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
}

/** Fails fast and clearly on directories that cannot be used, then opens the store, seeded. */
const openSeededStore = async (config: Config, log: Logger): Promise<Store> => {
  await prepareDirectory(config.feedsDir, 'FEEDS_DIR')
  if (config.databaseUrl === undefined) await prepareDirectory(config.dataDir, 'DATA_DIR')
  const store = await openStore(config, log)
  // Only the demo configuration names a seed folder; a site of one's own starts empty.
  if (config.seedFrom !== undefined && (await store.articles.count()) === 0) {
    const fixtures = await loadFixtureArticles(config.seedFrom).catch(async (error: unknown) => {
      await store.close()
      throw error
    })
    await putArticles(store.articles, fixtures, { now: new Date() })
    log.info(`seeded an empty store with ${fixtures.length} articles from ${config.seedFrom}`)
  }
  return store
}

/** Where outputs are served from: memory, the shelf, and (PostgreSQL) what other instances share. */
interface Published {
  outputs: PublishedOutputs
  shelf: Shelf | undefined
  sync: OutputSync | undefined
}

/** Opens the outputs, the shelf and the sync, and loads what other instances published. */
const openPublished = async (config: Config, log: Logger): Promise<Published> => {
  const outputs = createPublishedOutputs()
  const shelf = config.archives ? await openShelf(config.feedsDir) : undefined
  const sync =
    config.databaseUrl === undefined
      ? undefined
      : await openPostgresOutputSync({
          connectionString: config.databaseUrl,
          schema: config.databaseSchema,
          outputs,
          feedsDir: config.feedsDir,
          connectTimeoutMs: config.databaseConnectTimeoutMs,
          statementTimeoutMs: config.databaseStatementTimeoutMs,
          ...(shelf && { shelf }),
          onError: (error) => log.error('output sync failed', error),
        })
  const shared = (await sync?.load()) ?? 0
  if (shared > 0) log.info(`loaded ${shared} outputs published by other instances`)
  return { outputs, shelf, sync }
}

/** What the builds feed: readiness, the due timer, metrics, and one log line per build. */
const buildReporter =
  (status: BuildStatus, dueTimer: DueTimer, metrics: Metrics | undefined, log: Logger) =>
  (report: BuildReport): void => {
    status.latest = report
    status.lastSuccessAt = new Date(report.finishedAt)
    delete status.lastError
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
  /** Outputs restored from feeds/ carry no feed keys: the first build after them must be full. */
  restored(): void
}

/** The builder (sharing its outputs when several instances do), its scheduler and due timer. */
const wireBuilds = (
  parts: { config: Config; log: Logger; store: Store; published: Published },
  websub: WebSub,
  metrics: Metrics | undefined,
): Builds => {
  const { config, log, store, published } = parts
  const { outputs, shelf, sync } = published
  const status: BuildStatus = {}
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
    on: { published: websub.published, built: buildReporter(status, dueTimer, metrics, log) },
  })
  let restored = false
  const scheduler = createScheduler({
    build: async ({ id, full }) => {
      const report = await builder.build({ id, full: full || restored })
      restored = false
      return report
    },
    cron: config.feedCron,
    nextId: store.builds.nextBuildId,
    debounceMs: config.rebuildDebounceMs,
    retryBaseMs: config.buildRetryBaseMs,
    retryMaxMs: config.buildRetryMaxMs,
    onError: (error, id) => {
      status.lastError = { at: new Date(), message: describeError(error) }
      metrics?.buildFailed()
      log.error(`build ${id ?? 'without an id (the store handed none out)'} failed`, error)
    },
  })
  return { builder, scheduler, dueTimer, status, restored: () => void (restored = true) }
}

/**
 * A first instance builds everything; one starting beside it waits for the build lock, loads what
 * the first published, and finds nothing left to build.
 */
const firstBuild = async (
  config: Config,
  log: Logger,
  outputs: PublishedOutputs,
  builds: Builds,
) => {
  if (outputs.list().length > 0) return
  try {
    await builds.scheduler.rebuild()
  } catch {
    // The store cannot build now (disk full, server away): serve what the last run published
    // rather than fail to start; the scheduler retries with backoff until a build succeeds.
    const count = await restorePublished({
      feedsDir: config.feedsDir,
      outputs,
      skip: (path) => path.startsWith(ARCHIVE_ROOT),
    })
    if (count > 0) builds.restored()
    log.error(
      `the start-up build failed: serving ${count} outputs the last run left in ` +
        `${config.feedsDir} until a build succeeds (retried by itself)`,
    )
  }
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

/** The Hono app over the published outputs, the store and the builds. */
const appOf = (
  { config, log, store, published, metrics, websub, builds }: Parts,
  startedAt: Date,
) => {
  const { outputs, shelf } = published
  const { status, scheduler } = builds
  return createApp({
    outputs,
    store,
    scheduler,
    adminToken: config.adminToken,
    clock: () => new Date(),
    lastBuild: () => status.latest,
    notReady: createReadiness({
      published: () => outputs.list().length,
      status: () => status,
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
    ...(websub.hub && { hub: websub.hub, hubRequestsPerMinute: config.websub.requestsPerMinute }),
    ...(shelf && { shelf }),
    politePollingSeconds: config.politePollingSeconds,
    trustProxy: config.trustProxy,
    log: (error) => log.error('request failed', error),
  })
}

/** Opens the port; resolves once it listens. */
const listen = (parts: Parts, startedAt: Date): Promise<ServerType> => {
  const { config, log, metrics } = parts
  const app = appOf(parts, startedAt)
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

/**
 * The shutdown: no new connections, in-flight requests finish (those still open after a grace are
 * cut) while a running build is cut; WebSub deliveries in flight get a grace; then the store.
 */
const closeService = async (parts: Parts, server: ServerType): Promise<void> => {
  const { builds, websub, published, store } = parts
  builds.builder.interrupt()
  builds.dueTimer.stop()
  const http = server as Server
  const closed = new Promise<void>((resolve) => http.close(() => resolve()))
  http.closeIdleConnections()
  const grace = setTimeout(() => http.closeAllConnections(), CONNECTION_GRACE_MS)
  await Promise.all([closed.finally(() => clearTimeout(grace)), builds.scheduler.stop()])
  await builds.builder.close()
  websub.close()
  await Promise.race([websub.idle(), sleep(WEBSUB_GRACE_MS, undefined, { ref: false })])
  await published.sync?.close()
  await store.close()
}

/**
 * Starts the service and resolves once outputs are published and the port is open. With
 * PostgreSQL, outputs other instances published are served at once, without building.
 */
export const startService = async (
  config: Config,
  log: Logger,
  { signal }: StartOptions = {},
): Promise<Service> => {
  const startedAt = new Date()
  const store = await openSeededStore(config, log)
  const published = await openPublished(config, log)
  const metrics = config.metrics
    ? createMetrics({ articles: () => store.articles.count() })
    : undefined
  const websub = startWebSub({
    settings: config.websub,
    hubUrl: config.hubUrl,
    siteUrl: config.site.url,
    outputs: published.outputs,
    subscriptions: store.subscriptions,
    log,
    ...(metrics && { onEvent: metrics.webSub }),
  })
  const builds = wireBuilds({ config, log, store, published }, websub, metrics)
  if (signal?.aborted) builds.builder.interrupt()
  else signal?.addEventListener('abort', () => builds.builder.interrupt(), { once: true })
  await firstBuild(config, log, published.outputs, builds)
  builds.scheduler.start()
  const parts = { config, log, store, published, metrics, websub, builds }
  const server = await listen(parts, startedAt).catch(async (error: unknown) => {
    await stopBesidesServer(parts)
    throw error
  })
  // The start-up build published the feeds; the archive months it left are rendered now, while
  // requests are served.
  if (builds.status.latest?.archiveMonthsDeferred) builds.scheduler.rebuild().catch(() => undefined) // logged by onError
  const { port } = server.address() as AddressInfo
  const host = config.host.includes(':') ? `[${config.host}]` : config.host
  return {
    url: `http://${host}:${port}`,
    config,
    store,
    outputs: published.outputs,
    scheduler: builds.scheduler,
    websub,
    shelf: published.shelf,
    metrics,
    lastBuild: () => builds.status.latest,
    close: () => closeService(parts, server),
  }
}
