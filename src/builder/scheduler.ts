// Runs builds one at a time: on a cron schedule and on demand, coalescing requests made meanwhile;
// a build that fails (the store cannot hand out an id, or the build itself throws) is retried with
// backoff until one succeeds, so builds recover by themselves once the store answers again.
import { type ScheduledTask, schedule } from 'node-cron'
import type { BuildReport } from './report.js'

export interface SchedulerOptions {
  build: (options: { id: number; full: boolean }) => Promise<BuildReport>
  /** Hands out build ids (the store's, so they are unique across restarts and instances). */
  nextId: () => Promise<number>
  /** node-cron expression; the schedule starts with `start()`. */
  cron: string
  /** How long `requestRebuild` waits for more writes before building. */
  debounceMs?: number
  /** Wait before retrying a failed build; doubled after each failure in a row (default 1 s). */
  retryBaseMs?: number
  /** The longest wait between retries (default 60 s). */
  retryMaxMs?: number
  clock?: () => Date
  /** Told once about every build that failed, with its id when it had one. */
  onError: (error: unknown, buildId?: number) => void
}

/** A build that was asked for: its id, and its report when it ends. */
export interface BuildTicket {
  id: number
  done: Promise<BuildReport>
}

/** A build that failed: what went wrong and when. */
export interface BuildFailureRecord {
  /** The build's id; absent when the store could not hand one out. */
  id?: number
  message: string
  at: string
}

/** Whether builds succeed, for readiness checks and the health page. */
export interface SchedulerStatus {
  /** Failed builds since the last one that succeeded (0: the last build succeeded). */
  consecutiveFailures: number
  lastError?: BuildFailureRecord
  lastSuccessAt?: string
  /** When the next retry starts, while builds are failing. */
  retryAt?: string
}

export interface Scheduler {
  /**
   * Queues a build. Requests made before it starts share it (a full one if any of them asked for
   * one); it starts as soon as the build running now, if any, has ended.
   */
  trigger(options?: { full?: boolean }): Promise<BuildTicket>
  rebuild(options?: { full?: boolean }): Promise<BuildReport>
  /** Asks for a build after writes: requests within `debounceMs` of each other make one build. */
  requestRebuild(): void
  /** Ids of builds queued or running. */
  pending(): number[]
  /** The failure of a recent build with this id, if it failed (the last 100 are kept). */
  failure(id: number): BuildFailureRecord | undefined
  status(): SchedulerStatus
  start(): void
  /** Stops the schedule and retries, and waits for queued and running builds to end. */
  stop(): Promise<void>
}

interface Entry {
  full: boolean
  id?: number
  ticket: Promise<BuildTicket>
}

const FAILURES_KEPT = 100

const messageOf = (error: unknown): string =>
  error instanceof Error ? error.message : String(error)

export const createScheduler = (options: SchedulerOptions): Scheduler => {
  const { build, nextId, cron, debounceMs = 2_000, onError } = options
  const { retryBaseMs = 1_000, retryMaxMs = 60_000, clock = () => new Date() } = options
  // Settles when the last build asked for has ended; each new build starts after it.
  let tail: Promise<unknown> = Promise.resolve()
  let queued: Entry | undefined
  let runningId: number | undefined
  let task: ScheduledTask | undefined
  let debounce: NodeJS.Timeout | undefined
  let retry: { timer: NodeJS.Timeout; at: Date; full: boolean } | undefined
  let stopped = false
  let consecutiveFailures = 0
  let lastError: BuildFailureRecord | undefined
  let lastSuccessAt: string | undefined
  const failures = new Map<number, BuildFailureRecord>()

  const succeeded = (): void => {
    consecutiveFailures = 0
    lastSuccessAt = clock().toISOString()
    if (retry) clearTimeout(retry.timer)
    retry = undefined
  }

  /** Records the failure, tells `onError`, and makes sure a retry is coming. */
  const failed = (error: unknown, id: number | undefined, full: boolean): void => {
    consecutiveFailures += 1
    lastError = {
      ...(id !== undefined && { id }),
      message: messageOf(error),
      at: clock().toISOString(),
    }
    if (id !== undefined) {
      failures.set(id, lastError)
      if (failures.size > FAILURES_KEPT) failures.delete(failures.keys().next().value!)
    }
    onError(error, id)
    if (stopped) return
    // A retry already waiting keeps its time, but does the full build if this one was full.
    if (retry) {
      retry.full ||= full
      return
    }
    const wait = Math.min(retryMaxMs, retryBaseMs * 2 ** Math.min(consecutiveFailures - 1, 30))
    const next = { at: new Date(clock().getTime() + wait), full }
    const timer = setTimeout(() => {
      retry = undefined
      // Its failure is recorded (and the next retry scheduled) inside.
      trigger({ full: next.full })
        .then((t) => t.done)
        .catch(() => undefined)
    }, wait)
    timer.unref()
    retry = { ...next, timer }
  }

  const trigger = ({ full = false } = {}): Promise<BuildTicket> => {
    if (queued) {
      queued.full ||= full
      return queued.ticket
    }
    const entry: Entry = { full, ticket: undefined as unknown as Promise<BuildTicket> }
    const id = nextId().then(
      (value) => (entry.id = value),
      (error: unknown) => {
        // Nothing will run under this entry: later triggers must ask the store again.
        if (queued === entry) queued = undefined
        failed(error, undefined, entry.full)
        throw error
      },
    )
    const done = Promise.all([id, tail]).then(([value]) => {
      if (queued === entry) queued = undefined
      runningId = value
      return build({ id: value, full: entry.full }).then(
        (report) => {
          runningId = undefined
          succeeded()
          return report
        },
        (error: unknown) => {
          runningId = undefined
          failed(error, value, entry.full)
          throw error
        },
      )
    })
    tail = done.catch(() => undefined)
    entry.ticket = id.then((value) => ({ id: value, done }))
    queued = entry
    return entry.ticket
  }

  const rebuild = async (opts?: { full?: boolean }): Promise<BuildReport> =>
    (await trigger(opts)).done

  // Failures are told to onError where they happen; these callers only keep them from going
  // unhandled.
  const quietly = (): Promise<void> =>
    rebuild().then(
      () => undefined,
      () => undefined,
    )

  return {
    trigger,
    rebuild,
    requestRebuild() {
      clearTimeout(debounce)
      debounce = setTimeout(() => {
        debounce = undefined
        void quietly()
      }, debounceMs)
      debounce.unref()
    },
    pending: () => [runningId, queued?.id].filter((id): id is number => id !== undefined),
    failure: (id) => failures.get(id),
    status: () => ({
      consecutiveFailures,
      ...(lastError && { lastError }),
      ...(lastSuccessAt && { lastSuccessAt }),
      ...(retry && { retryAt: retry.at.toISOString() }),
    }),
    start() {
      task ??= schedule(cron, quietly, { name: 'feedwright-build', noOverlap: true })
    },
    async stop() {
      stopped = true
      clearTimeout(debounce)
      if (retry) clearTimeout(retry.timer)
      retry = undefined
      await task?.stop()
      task = undefined
      await tail
    },
  }
}
