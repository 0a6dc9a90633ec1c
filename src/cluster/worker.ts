// A cluster worker: serves what the primary publishes (a copy it keeps in memory, archives read
// from FEEDS_DIR) over its own store connection for reads and admin writes; never builds.
import cluster from 'node:cluster'
import type { Config } from '../config.js'
import { describeError, type Logger } from '../log.js'
import { keepTickObjectMaps } from '../http/tick-objects.js'
import { createMetrics, type Metrics } from '../metrics.js'
import { closeServer, listen } from '../service.js'
import { isUnreachable, openStore, reachStore } from '../store/open.js'
import type { Store } from '../store/store.js'
import { startWebSub } from '../websub/index.js'
import { createFollower } from './follower.js'
import { type BuildNews, isOurs, type ToPrimary, type ToWorker } from './messages.js'
import { remoteScheduler } from './remote-scheduler.js'

const send = (message: ToPrimary): void => void process.send?.(message)

/** The store, or (PostgreSQL away) a stand-in that answers 503 until it is reached again. */
const openWorkerStore = (config: Config, log: Logger): Promise<Store> => {
  const open = () => openStore(config, log)
  return open().catch((error: unknown) => {
    if (config.databaseUrl === undefined || !isUnreachable(error)) throw error
    return reachStore(open, error, {
      retryBaseMs: config.buildRetryBaseMs,
      retryMaxMs: config.buildRetryMaxMs,
      prepare: async () => undefined,
      // The primary logs the outage; one line per worker and attempt would repeat it N times.
      onFailure: () => undefined,
    }).store
  })
}

/**
 * Feeds a worker's build metrics from the primary's news: builds happen there, but /metrics is
 * answered here. Each build the worker hears of counts once (a replaced worker starts from zero, as
 * any restarted process's counters do); the gauges follow the latest report.
 */
const countBuilds = (metrics: Metrics, first: BuildNews): void => {
  let counted = -1
  let failedAt: number | undefined
  const hearNews = ({ status }: BuildNews) => {
    if (status.latest && status.latest.id !== counted) {
      counted = status.latest.id
      metrics.build(status.latest)
    }
    const at = status.lastError?.at.getTime()
    if (at !== undefined && at !== failedAt) metrics.buildFailed()
    failedAt = at
  }
  hearNews(first)
  process.on('message', (message: unknown) => {
    if (isOurs<ToWorker>(message) && message.type === 'news') hearNews(message.news)
  })
}

/** Resolves with what stopped the worker: the primary's word, or a signal sent to it directly. */
const stopRequest = (): Promise<string> =>
  new Promise((resolve) => {
    process.on('message', (message: unknown) => {
      if (isOurs<ToWorker>(message) && message.type === 'stop') resolve('stop')
    })
    // A signal to the whole process group (a terminal's Ctrl-C, systemd) reaches workers too.
    process.once('SIGINT', () => resolve('SIGINT'))
    process.once('SIGTERM', () => resolve('SIGTERM'))
  })

/**
 * Runs a worker until it is told to stop: a copy of the primary's outputs first (its snapshot),
 * then the port. Returns the exit code.
 */
export const runWorker = async (config: Config, log: Logger): Promise<number> => {
  // Before the snapshot's full collections (see http/tick-objects.ts).
  keepTickObjectMaps()
  const startedAt = new Date()
  const stopped = stopRequest()
  const follower = createFollower(config.feedsDir, config.archives)
  const remote = remoteScheduler(send)
  const snapshot = new Promise<void>((resolve) => {
    process.on('message', (message: unknown) => {
      if (!isOurs<ToWorker>(message) || remote.hear(message)) return
      if (message.type === 'changes') follower.apply(message.changes)
      if (message.type !== 'snapshot') return
      follower.reset(message.outputs, message.shelved)
      remote.hear({ type: 'news', news: message.news })
      resolve()
    })
  })
  try {
    const store = await openWorkerStore(config, log)
    send({ type: 'hello' })
    await snapshot
    const metrics = config.metrics
      ? createMetrics({ articles: () => store.articles.count() })
      : undefined
    if (metrics) countBuilds(metrics, remote.news())
    // The hub takes (and verifies) subscriptions here; the primary delivers what builds publish.
    const websub = startWebSub({
      settings: config.websub,
      hubUrl: config.hubUrl,
      siteUrl: config.site.url,
      outputs: follower.outputs,
      ...(follower.shelf && { shelf: follower.shelf }),
      subscriptions: store.subscriptions,
      log,
      ...(metrics && { onEvent: metrics.webSub }),
    })
    const serving = {
      ...{ config, log, store, published: follower, metrics, hub: websub.hub },
      ...{ scheduler: remote.scheduler, status: () => remote.news().status },
      worker: { id: cluster.worker?.id ?? 0, pid: process.pid },
    }
    const server = await listen(serving, startedAt)
    send({ type: 'listening' })
    await stopped
    await closeServer(server)
    websub.close()
    await store.close()
    // The IPC channel keeps a worker alive: let it go, so that the process ends once idle.
    cluster.worker?.disconnect()
    return 0
  } catch (error) {
    send({ type: 'failed', message: describeError(error) })
    log.error('cluster worker failed to start', error)
    return 1
  }
}
