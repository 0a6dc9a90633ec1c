// Wires the running service: config → store (seeded) → first build → schedule → HTTP server.
import { type ServerType, serve } from '@hono/node-server'
import type { AddressInfo } from 'node:net'
import { loadFixtureArticles } from './articles/fixtures.js'
import { builderSettings, createBuilder } from './build/builder.js'
import type { BuildReport } from './build/report.js'
import { createDueTimer } from './build/due-timer.js'
import { createScheduler, type Scheduler } from './build/scheduler.js'
import type { Config } from './config.js'
import { createApp } from './http/app.js'
import { headWithLength } from './http/head-length.js'
import { createPublishedOutputs, type PublishedOutputs } from './publish/outputs.js'
import { openShelf, type Shelf } from './publish/shelf.js'
import { openPostgresOutputSync } from './publish/postgres-sync.js'
import { restorePublished } from './publish/restore.js'
import { openStore } from './store/open.js'
import type { ArticleStore } from './store/store.js'
import { startWebSub, type WebSub } from './websub/index.js'

export interface Logger {
  info(message: string): void
  error(message: string, error?: unknown): void
}

export interface Service {
  url: string
  config: Config
  store: ArticleStore
  outputs: PublishedOutputs
  scheduler: Scheduler
  websub: WebSub
  /** The monthly archives on disk, unless ARCHIVES=false. */
  shelf: Shelf | undefined
  lastBuild(): BuildReport | undefined
  close(): Promise<void>
}

const months = (n: number): string => `${n} archive month${n === 1 ? '' : 's'}`

const describeBuild = (r: BuildReport): string =>
  `build ${r.id}${r.full ? ' (full)' : ''}: ${r.feeds} feeds, ${r.rendered} outputs rendered` +
  `${r.archiveMonths > 0 ? ` (${months(r.archiveMonths)})` : ''}, ` +
  `${r.published} published, ${r.unchanged} unchanged, ${r.removed} removed, ` +
  `${r.failures.length} failed` +
  `${r.quarantinedTotal > 0 ? `, ${r.quarantinedTotal} items quarantined` : ''}` +
  ` in ${Math.round(r.durationMs)} ms` +
  `${r.archiveMonthsDeferred ? `; ${months(r.archiveMonthsDeferred)} to render next` : ''}`

/**
 * Starts the service and resolves once outputs are published and the port is open. With
 * PostgreSQL, outputs other instances published are served at once, without building.
 */
export const startService = async (config: Config, log: Logger): Promise<Service> => {
  const store = await openStore(config, log)
  // Only the demo configuration names a seed folder; a site of one's own starts empty.
  if (config.seedFrom !== undefined && (await store.count()) === 0) {
    const fixtures = await loadFixtureArticles(config.seedFrom).catch(async (error: unknown) => {
      await store.close()
      throw error
    })
    await store.upsertMany(fixtures)
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
  const websub = startWebSub({
    settings: config.websub,
    hubUrl: config.hubUrl,
    siteUrl: config.site.url,
    outputs,
    subscriptions: store.subscriptions,
    log,
  })
  let latest: BuildReport | undefined
  // A scheduled article is published within moments of its time, not at the next cron tick.
  const dueTimer = createDueTimer({
    nextDue: store.nextDue,
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
      latest = report
      dueTimer.arm()
      log.info(describeBuild(report))
      for (const f of report.failures)
        log.error(`not published ${f.feed}: [${f.rule}] ${f.message}`)
      for (const q of report.quarantined)
        log.error(`left article ${q.article} out of ${q.feed}: [${q.rule}] ${q.message}`)
    },
  })
  // Outputs restored from feeds/ carry no feed keys: the first build after them must be full.
  let restored = false
  const scheduler = createScheduler({
    build: async ({ id, full }) => {
      const report = await builder.build({ id, full: full || restored })
      restored = false
      return report
    },
    cron: config.feedCron,
    nextId: store.nextBuildId,
    debounceMs: config.rebuildDebounceMs,
    retryBaseMs: config.buildRetryBaseMs,
    retryMaxMs: config.buildRetryMaxMs,
    onError: (error, id) =>
      log.error(`build ${id ?? 'without an id (the store handed none out)'} failed`, error),
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
    lastBuild: () => latest,
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
      { fetch: headWithLength(app.fetch), port: config.port, hostname: config.host },
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
    dueTimer.stop()
    websub.close()
    await scheduler.stop()
    await sync?.close()
    await store.close()
    throw error
  })
  // The start-up build published the feeds; the archive months it left are rendered now, while
  // requests are served.
  if (latest?.archiveMonthsDeferred) scheduler.rebuild().catch(() => undefined) // logged by onError
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
    lastBuild: () => latest,
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()))
      dueTimer.stop()
      await scheduler.stop()
      websub.close()
      await websub.idle()
      await sync?.close()
      await store.close()
    },
  }
}
