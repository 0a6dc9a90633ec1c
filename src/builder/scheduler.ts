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

/** How builds have gone: failures in a row, the last error and success, recent failures by id. */
const createBuildRecord = (clock: () => Date) => {
  let consecutiveFailures = 0
  let lastError: BuildFailureRecord | undefined
  let lastSuccessAt: string | undefined
  const failures = new Map<number, BuildFailureRecord>()
  return {
    consecutiveFailures: () => consecutiveFailures,
    succeeded(): void {
      consecutiveFailures = 0
      lastSuccessAt = clock().toISOString()
    },
    failed(error: unknown, id: number | undefined): void {
      consecutiveFailures += 1
      lastError = {
        ...(id !== undefined && { id }),
        message: messageOf(error),
        at: clock().toISOString(),
      }
      if (id === undefined) return
      failures.set(id, lastError)
      if (failures.size > FAILURES_KEPT) failures.delete(failures.keys().next().value!)
    },
    failure: (id: number) => failures.get(id),
    status: (): Omit<SchedulerStatus, 'retryAt'> => ({
      consecutiveFailures,
      ...(lastError && { lastError }),
      ...(lastSuccessAt && { lastSuccessAt }),
    }),
  }
}

/** The one retry waiting after failed builds; its wait doubles with each failure in a row. */
const createRetry = (options: {
  baseMs: number
  maxMs: number
  clock: () => Date
  run: (full: boolean) => void
}) => {
  let retry: { timer: NodeJS.Timeout; at: Date; full: boolean } | undefined
  return {
    /** Makes sure a retry is coming after the `failuresInRow`th failure. */
    ensure(failuresInRow: number, full: boolean): void {
      // A retry already waiting keeps its time, but does the full build if this one was full.
      if (retry) {
        retry.full ||= full
        return
      }
      const wait = Math.min(options.maxMs, options.baseMs * 2 ** Math.min(failuresInRow - 1, 30))
      const next = { at: new Date(options.clock().getTime() + wait), full }
      const timer = setTimeout(() => {
        retry = undefined
        options.run(next.full)
      }, wait)
      timer.unref()
      retry = { ...next, timer }
    },
    cancel(): void {
      if (retry) clearTimeout(retry.timer)
      retry = undefined
    },
    at: (): Date | undefined => retry?.at,
  }
}

/** Builds one at a time, in the order asked; a request made before its build starts joins it. */
const createBuildQueue = (options: {
  build: SchedulerOptions['build']
  nextId: SchedulerOptions['nextId']
  succeeded: () => void
  failed: (error: unknown, id: number | undefined, full: boolean) => void
}) => {
  const { build, nextId, succeeded, failed } = options
  // Settles when the last build asked for has ended; each new build starts after it.
  let tail: Promise<unknown> = Promise.resolve()
  let queued: Entry | undefined
  let runningId: number | undefined

  const run = (entry: Entry, id: number): Promise<BuildReport> => {
    if (queued === entry) queued = undefined
    runningId = id
    return build({ id, full: entry.full }).then(
      (report) => {
        runningId = undefined
        succeeded()
        return report
      },
      (error: unknown) => {
        runningId = undefined
        failed(error, id, entry.full)
        throw error
      },
    )
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
    const done = Promise.all([id, tail]).then(([value]) => run(entry, value))
    tail = done.catch(() => undefined)
    entry.ticket = id.then((value) => ({ id: value, done }))
    queued = entry
    return entry.ticket
  }

  return {
    trigger,
    pending: () => [runningId, queued?.id].filter((id): id is number => id !== undefined),
    /** Settles when every build asked for so far has ended. */
    drained: () => tail,
  }
}

/** Runs `run` once `ms` after the last of a burst of requests. */
const createDebounce = (ms: number, run: () => void) => {
  let timer: NodeJS.Timeout | undefined
  return {
    request(): void {
      clearTimeout(timer)
      timer = setTimeout(() => {
        timer = undefined
        run()
      }, ms)
      timer.unref()
    },
    cancel: (): void => clearTimeout(timer),
  }
}

export const createScheduler = (options: SchedulerOptions): Scheduler => {
  const { cron, debounceMs = 2_000, onError } = options
  const { retryBaseMs = 1_000, retryMaxMs = 60_000, clock = () => new Date() } = options
  let task: ScheduledTask | undefined
  let stopped = false
  const record = createBuildRecord(clock)
  const retry = createRetry({
    baseMs: retryBaseMs,
    maxMs: retryMaxMs,
    clock,
    // Its failure is recorded (and the next retry scheduled) inside.
    run: (full) => void rebuild({ full }).catch(() => undefined),
  })
  const queue = createBuildQueue({
    build: options.build,
    nextId: options.nextId,
    succeeded: () => {
      record.succeeded()
      retry.cancel()
    },
    /** Records the failure, tells `onError`, and makes sure a retry is coming. */
    failed: (error, id, full) => {
      record.failed(error, id)
      onError(error, id)
      if (!stopped) retry.ensure(record.consecutiveFailures(), full)
    },
  })

  const rebuild = async (opts?: { full?: boolean }): Promise<BuildReport> =>
    (await queue.trigger(opts)).done

  // Failures are told to onError where they happen; these callers only keep them from going
  // unhandled.
  const quietly = (): Promise<void> =>
    rebuild().then(
      () => undefined,
      () => undefined,
    )
  const debounce = createDebounce(debounceMs, () => void quietly())

  return {
    trigger: queue.trigger,
    rebuild,
    requestRebuild: debounce.request,
    pending: queue.pending,
    failure: record.failure,
    status: () => {
      const retryAt = retry.at()
      return { ...record.status(), ...(retryAt && { retryAt: retryAt.toISOString() }) }
    },
    start() {
      task ??= schedule(cron, quietly, { name: 'feedwright-build', noOverlap: true })
    },
    async stop() {
      stopped = true
      debounce.cancel()
      retry.cancel()
      await task?.stop()
      task = undefined
      await queue.drained()
    },
  }
}
