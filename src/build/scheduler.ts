// Runs builds one at a time: on a cron schedule and on demand, coalescing requests made meanwhile.
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
  onError: (error: unknown) => void
}

/** A build that was asked for: its id, and its report when it ends. */
export interface BuildTicket {
  id: number
  done: Promise<BuildReport>
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
  start(): void
  /** Stops the schedule and waits for queued and running builds to end. */
  stop(): Promise<void>
}

interface Entry {
  full: boolean
  id?: number
  ticket: Promise<BuildTicket>
}

export const createScheduler = (options: SchedulerOptions): Scheduler => {
  const { build, nextId, cron, debounceMs = 2_000, onError } = options
  // Settles when the last build asked for has ended; each new build starts after it.
  let tail: Promise<unknown> = Promise.resolve()
  let queued: Entry | undefined
  let runningId: number | undefined
  let task: ScheduledTask | undefined
  let debounce: NodeJS.Timeout | undefined

  const trigger = ({ full = false } = {}): Promise<BuildTicket> => {
    if (queued) {
      queued.full ||= full
      return queued.ticket
    }
    const entry: Entry = { full, ticket: undefined as unknown as Promise<BuildTicket> }
    const id = nextId().then((value) => (entry.id = value))
    const done = Promise.all([id, tail]).then(([value]) => {
      if (queued === entry) queued = undefined
      runningId = value
      return build({ id: value, full: entry.full }).finally(() => {
        runningId = undefined
      })
    })
    tail = done.catch(() => undefined)
    entry.ticket = id.then((value) => ({ id: value, done }))
    queued = entry
    return entry.ticket
  }

  const rebuild = async (opts?: { full?: boolean }): Promise<BuildReport> =>
    (await trigger(opts)).done

  return {
    trigger,
    rebuild,
    requestRebuild() {
      clearTimeout(debounce)
      debounce = setTimeout(() => {
        debounce = undefined
        rebuild().catch(onError)
      }, debounceMs)
      debounce.unref()
    },
    pending: () => [runningId, queued?.id].filter((id): id is number => id !== undefined),
    start() {
      task ??= schedule(cron, () => rebuild().then(() => undefined, onError), {
        name: 'feedwright-build',
        noOverlap: true,
      })
    },
    async stop() {
      clearTimeout(debounce)
      await task?.stop()
      task = undefined
      await tail
    },
  }
}
