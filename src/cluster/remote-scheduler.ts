// A worker's Scheduler: every build is the primary's. Writes ask it for the debounced build, and
// POST /api/rebuild waits for the build id it hands out, as the single process answers.
import type { BuildReport } from '../builder/report.js'
import type { BuildFailureRecord, BuildTicket, Scheduler } from '../builder/scheduler.js'
import { StoreError } from '../lib/errors.js'
import type { BuildNews, ToPrimary, ToWorker } from './messages.js'

interface Waiting<T> {
  resolve: (value: T) => void
  reject: (error: Error) => void
}

/** Failed builds a worker remembers, for GET /api/builds/:id (the primary keeps 100 too). */
const FAILURES_KEPT = 100

export const remoteScheduler = (send: (message: ToPrimary) => void) => {
  let nextRef = 0
  let news: BuildNews = { status: {}, pending: [] }
  const tickets = new Map<number, Waiting<number>>()
  const builds = new Map<number, Waiting<BuildReport>>()
  const failures = new Map<number, BuildFailureRecord>()
  const remember = (failure: BuildFailureRecord | undefined) => {
    if (failure?.id === undefined) return
    failures.set(failure.id, failure)
    if (failures.size > FAILURES_KEPT) failures.delete(failures.keys().next().value!)
  }
  const trigger = async ({ full = false } = {}): Promise<BuildTicket> => {
    nextRef += 1
    const ref = nextRef
    const id = await new Promise<number>((resolve, reject) => {
      tickets.set(ref, { resolve, reject })
      send({ type: 'trigger', ref, full })
    })
    const done = new Promise<BuildReport>((resolve, reject) => builds.set(id, { resolve, reject }))
    return { id, done }
  }
  const scheduler: Scheduler = {
    trigger,
    rebuild: async (options) => (await trigger(options)).done,
    requestRebuild: () => send({ type: 'request-rebuild' }),
    pending: () => [...new Set([...news.pending, ...builds.keys()])],
    failure: (id) => failures.get(id),
    status: () => ({ consecutiveFailures: news.status.lastError ? 1 : 0 }),
    start: () => undefined,
    stop: async () => undefined,
  }
  /** Takes the primary's answers; false for a message that is not about builds. */
  const hear = (message: ToWorker): boolean => {
    if (message.type === 'news') {
      news = message.news
      remember(message.news.lastFailure)
    } else if (message.type === 'ticket') {
      const waiting = tickets.get(message.ref)
      tickets.delete(message.ref)
      if (message.id !== undefined) waiting?.resolve(message.id)
      else
        waiting?.reject(
          new StoreError(`cluster: the builder could not queue a build: ${message.error}`),
        )
    } else if (message.type === 'built') {
      const waiting = builds.get(message.id)
      builds.delete(message.id)
      if (message.report) waiting?.resolve(message.report)
      else {
        const at = new Date().toISOString()
        remember({ id: message.id, message: message.error ?? 'failed', at })
        waiting?.reject(new Error(message.error))
      }
    } else return false
    return true
  }
  return { scheduler, hear, news: () => news }
}
