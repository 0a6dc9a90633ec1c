// The cluster's primary (WORKERS > 1): the one builder (scheduler, due timer, WebSub deliveries),
// with no public socket of its own; its workers share the port and serve copies of its outputs.
import type { Worker } from 'node:cluster'
import type { Config } from '../config.js'
import { describeError, type Logger } from '../log.js'
import type { BuildStatus } from '../readiness.js'
import { type Service, startService } from '../service.js'
import type { BuildNews, OutputChange, ToPrimary, ToWorker } from './messages.js'
import { mirrorTo } from './mirror.js'
import { type Pool, startPool } from './pool.js'

const sendTo = (worker: Worker, message: ToWorker): void => {
  // A worker that just died is replaced and gets a snapshot; nothing is lost by skipping it.
  if (worker.isConnected()) worker.send(message, undefined, () => undefined)
}

/** Queues a build the way a worker asked for it, and tells the worker its id, then its end. */
const trigger = (service: Service, worker: Worker, ref: number, full: boolean): void => {
  service.scheduler.trigger({ full }).then(
    (ticket) => {
      sendTo(worker, { type: 'ticket', ref, id: ticket.id })
      ticket.done.then(
        (report) => sendTo(worker, { type: 'built', id: ticket.id, report }),
        (error: unknown) =>
          sendTo(worker, { type: 'built', id: ticket.id, error: describeError(error) }),
      )
    },
    (error: unknown) => sendTo(worker, { type: 'ticket', ref, error: describeError(error) }),
  )
}

/** What goes to the workers: output changes, build news, snapshots for those that say hello. */
const createBroadcast = () => {
  // Workers that have their snapshot: changes made before it are in it.
  const following = new Set<Worker>()
  let service: Service | undefined
  let status: BuildStatus = {}
  const news = (): BuildNews => {
    const lastFailure = service?.scheduler.status().lastError
    return {
      status,
      pending: service?.scheduler.pending() ?? [],
      ...(lastFailure && { lastFailure }),
    }
  }
  const toFollowers = (message: ToWorker) => {
    for (const worker of following) {
      if (worker.isDead()) following.delete(worker)
      else sendTo(worker, message)
    }
  }
  return {
    changes: (changes: OutputChange[]) => toFollowers({ type: 'changes', changes }),
    status: (next: BuildStatus) => {
      status = next
      toFollowers({ type: 'news', news: news() })
    },
    attach: (started: Service) => (service = started),
    onMessage: (worker: Worker, message: ToPrimary) => {
      if (service === undefined) return
      if (message.type === 'hello') {
        const outputs = service.outputs.list()
        const shelved = service.shelf?.list() ?? []
        sendTo(worker, { type: 'snapshot', outputs, shelved, news: news() })
        following.add(worker)
      } else if (message.type === 'request-rebuild') service.scheduler.requestRebuild()
      else if (message.type === 'trigger') {
        trigger(service, worker, message.ref, message.full)
        toFollowers({ type: 'news', news: news() })
      }
    },
  }
}

/**
 * Starts the builder (without a port), then `size` workers serving on config.port; resolves once
 * all of them listen. The Service's url is theirs; close() stops the workers and the builder.
 */
export const startCluster = async (
  config: Config,
  log: Logger,
  options: { signal?: AbortSignal; size: number },
): Promise<Service> => {
  const broadcast = createBroadcast()
  const service = await startService(config, log, {
    ...(options.signal && { signal: options.signal }),
    listen: false,
    wrap: mirrorTo(broadcast.changes),
    onBuildStatus: broadcast.status,
  })
  broadcast.attach(service)
  const pool: Pool = startPool({ size: options.size, log, onMessage: broadcast.onMessage })
  const port = await pool.started.catch(async (error: unknown) => {
    await Promise.all([pool.stop(), service.close()])
    throw error
  })
  const host = config.host.includes(':') ? `[${config.host}]` : config.host
  return {
    ...service,
    url: `http://${host}:${port}`,
    close: async () => {
      await Promise.all([pool.stop(), service.close()])
    },
  }
}
