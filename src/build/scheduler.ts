// Runs builds one at a time: on a cron schedule and on demand, coalescing requests made meanwhile.
import { type ScheduledTask, schedule } from 'node-cron'
import type { BuildReport } from './report.js'

export interface SchedulerOptions {
  build: (options: { id: number; full: boolean }) => Promise<BuildReport>
  /** node-cron expression; the schedule starts with `start()`. */
  cron: string
  /** Id of the last build ever run (from the stored reports), so ids keep rising across restarts. */
  lastId?: number
  /** How long `requestRebuild` waits for more writes before building. */
  debounceMs?: number
  onError: (error: unknown) => void
}

/** A build that was asked for: its id is known at once, its report when it ends. */
export interface BuildTicket {
  id: number
  done: Promise<BuildReport>
}

export interface Scheduler {
  /**
   * Builds now, or, if a build is running, once right after it; every request made during one build
   * shares that next build (a full one if any of them asked for it).
   */
  trigger(options?: { full?: boolean }): BuildTicket
  rebuild(options?: { full?: boolean }): Promise<BuildReport>
  /** Asks for a build after writes: requests within `debounceMs` of each other make one build. */
  requestRebuild(): void
  /** Ids of builds queued or running. */
  pending(): number[]
  start(): void
  /** Stops the schedule and waits for queued and running builds to end. */
  stop(): Promise<void>
}

export const createScheduler = (options: SchedulerOptions): Scheduler => {
  const { build, cron, debounceMs = 2_000, onError } = options
  let nextId = (options.lastId ?? 0) + 1
  let running: (BuildTicket & { settled: Promise<unknown> }) | undefined
  let queued: { ticket: BuildTicket; full: boolean } | undefined
  let task: ScheduledTask | undefined
  let debounce: NodeJS.Timeout | undefined

  const run = (id: number, full: boolean): Promise<BuildReport> => {
    const done = build({ id, full })
    const settled = done.then(
      () => undefined,
      () => undefined,
    )
    running = { id, done, settled }
    void settled.then(() => {
      if (running?.id === id) running = undefined
    })
    return done
  }

  const trigger = ({ full = false } = {}): BuildTicket => {
    if (!running) {
      const id = nextId++
      return { id, done: run(id, full) }
    }
    if (queued) {
      queued.full ||= full
      return queued.ticket
    }
    const id = nextId++
    const entry = { full, ticket: { id, done: undefined as unknown as Promise<BuildReport> } }
    entry.ticket.done = running.settled.then(() => {
      queued = undefined
      return run(id, entry.full)
    })
    queued = entry
    return entry.ticket
  }

  const rebuild = (opts?: { full?: boolean }): Promise<BuildReport> => trigger(opts).done

  return {
    trigger,
    rebuild,
    requestRebuild() {
      clearTimeout(debounce)
      debounce = setTimeout(() => {
        debounce = undefined
        trigger().done.catch(onError)
      }, debounceMs)
      debounce.unref()
    },
    pending: () => [running?.id, queued?.ticket.id].filter((id): id is number => id !== undefined),
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
      await queued?.ticket.done.catch(() => undefined)
      await running?.settled
    },
  }
}
