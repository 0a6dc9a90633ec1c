// Wires the running service: config → directories → store (seeded) → first build → schedule →
// HTTP server (readiness, metrics, access log); and stops it (build cut, connections closed).
import { type ServerType, serve } from '@hono/node-server'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import { loadFixtureArticles } from './articles/fixtures.js'
import { builderSettings, createBuilder } from './builder/builder.js'
import type { BuildReport } from './builder/report.js'
import { createDueTimer } from './builder/due-timer.js'
import { createScheduler, type Scheduler } from './builder/scheduler.js'
import type { Config } from './config.js'
import { createApp } from './http/app.js'
import { headWithLength } from './http/head-length.js'
import { createPublishedOutputs, type PublishedOutputs } from './publish/outputs.js'
import { openShelf, type Shelf } from './publish/shelf.js'
import { openPostgresOutputSync } from './publish/postgres-sync.js'
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

const months = (n: number): string => `${n} archive month${n === 1 ? '' : 's'}`

const describeBuild = (r: BuildReport): string =>
  `build ${r.id}${r.full ? ' (full)' : ''}${r.interrupted ? ' interrupted by shutdown' : ''}: ` +
  `${r.feeds} feeds, ${r.rendered} outputs rendered` +
  `${r.archiveMonths > 0 ? ` (${months(r.archiveMonths)})` : ''}, ` +
  `${r.published} published, ${r.unchanged} unchanged, ${r.removed} removed, ` +
  `${r.failures.length} failed` +
  `${r.quarantinedTotal > 0 ? `, ${r.quarantinedTotal} items quarantined` : ''}` +
  ` in ${Math.round(r.durationMs)} ms` +
  `${r.archiveMonthsDeferred ? `; ${months(r.archiveMonthsDeferred)} to render next` : ''}`

/** A build's figures, as the fields of its one log line. */
const buildFields = (r: BuildReport) => ({
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
  // Fail fast and clearly on directories that cannot be used, before anything is opened.
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
  const metrics = config.metrics
    ? createMetrics({ articles: () => store.articles.count() })
    : undefined
  const websub = startWebSub({
    settings: config.websub,
    hubUrl: config.hubUrl,
    siteUrl: config.site.url,
    outputs,
    subscriptions: store.subscriptions,
    log,
    ...(metrics && { onEvent: metrics.webSub }),
  })
  const status: BuildStatus = {}
  const buildFailed = (error: unknown, id?: number) => {
    status.lastError = { at: new Date(), message: describeError(error) }
    metrics?.buildFailed()
    log.error(`build ${id ?? 'without an id (the store handed none out)'} failed`, error)
  }
  // A scheduled article is published within moments of its time, not at the next cron tick.
  const dueTimer = createDueTimer({
    nextDue: store.articles.nextDue,
    // A failed build is logged (and retried) by the scheduler itself.
    onDue: () => void scheduler.rebuild().catch(() => undefined),
    onError: (error) => log.error('cannot read when the next scheduled article is due', error),
  })
  const builder = createBuilder({
    store,
    ...builderSettings(config),
    outputs,
    ...(shelf && { shelf, deferArchivesAtStart: true }),
    ...(sync && {
      beforeBuild: async () => void (await sync.load()),
      afterPublish: sync.publish,
      shelfSynced: true,
    }),
    onPublished: websub.published,
    onBuilt: (report) => {
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
    },
  })
  if (signal?.aborted) builder.interrupt()
  else signal?.addEventListener('abort', () => builder.interrupt(), { once: true })
  // Outputs restored from feeds/ carry no feed keys: the first build after them must be full.
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
    onError: buildFailed,
  })
  // A first instance builds everything; one starting beside it waits for the build lock, loads
  // what the first published, and finds nothing left to build.
  if (outputs.list().length === 0) {
    try {
      await scheduler.rebuild()
    } catch {
      // The store cannot build now (disk full, server away): serve what the last run published
      // rather than fail to start; the scheduler retries with backoff until a build succeeds.
      const count = await restorePublished({
        feedsDir: config.feedsDir,
        outputs,
        skip: (path) => path.startsWith('/feeds/archive/'),
      })
      restored = count > 0
      log.error(
        `the start-up build failed: serving ${count} outputs the last run left in ` +
          `${config.feedsDir} until a build succeeds (retried by itself)`,
      )
    }
  }
  scheduler.start()

  const app = createApp({
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
  const server = await new Promise<ServerType>((resolve, reject) => {
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
  }).catch(async (error: unknown) => {
    builder.interrupt()
    dueTimer.stop()
    websub.close()
    await scheduler.stop()
    await sync?.close()
    await store.close()
    throw error
  })
  // The start-up build published the feeds; the archive months it left are rendered now, while
  // requests are served.
  if (status.latest?.archiveMonthsDeferred) scheduler.rebuild().catch(() => undefined) // logged by onError
  const { port } = server.address() as AddressInfo
  const host = config.host.includes(':') ? `[${config.host}]` : config.host
  return {
    url: `http://${host}:${port}`,
    config,
    store,
    outputs,
    scheduler,
    websub,
    shelf,
    metrics,
    lastBuild: () => status.latest,
    async close() {
      builder.interrupt()
      dueTimer.stop()
      const http = server as Server
      const closed = new Promise<void>((resolve) => http.close(() => resolve()))
      http.closeIdleConnections()
      const grace = setTimeout(() => http.closeAllConnections(), CONNECTION_GRACE_MS)
      await Promise.all([closed.finally(() => clearTimeout(grace)), scheduler.stop()])
      websub.close()
      await Promise.race([websub.idle(), sleep(WEBSUB_GRACE_MS, undefined, { ref: false })])
      await sync?.close()
      await store.close()
    },
  }
}
