// Runs builds one at a time: on a cron schedule and on demand, coalescing requests made meanwhile.
import { type ScheduledTask, schedule } from 'node-cron'
import type { BuildReport } from './report.js'

export interface SchedulerOptions {
  build: (options: { full: boolean }) => Promise<BuildReport>
  /** node-cron expression; the schedule starts with `start()`. */
  cron: string
  onError: (error: unknown) => void
}

export interface Scheduler {
  /**
   * Builds now, or, if a build is running, once right after it; every request made during one build
   * shares that next build (a full one if any of them asked for it).
   */
  rebuild(options?: { full?: boolean }): Promise<BuildReport>
  start(): void
  /** Stops the schedule and waits for a running build to end. */
  stop(): Promise<void>
}

export const createScheduler = ({ build, cron, onError }: SchedulerOptions): Scheduler => {
  let running: Promise<BuildReport> | undefined
  let queued: { full: boolean; promise: Promise<BuildReport> } | undefined
  let task: ScheduledTask | undefined

  const run = (full: boolean): Promise<BuildReport> => {
    const current = build({ full }).finally(() => {
      running = undefined
    })
    running = current
    return current
  }

  const rebuild = ({ full = false } = {}): Promise<BuildReport> => {
    if (!running) return run(full)
    if (queued) {
      queued.full ||= full
      return queued.promise
    }
    const entry = { full, promise: undefined as unknown as Promise<BuildReport> }
    entry.promise = running
      .catch(() => undefined)
      .then(() => {
        queued = undefined
        return run(entry.full)
      })
    queued = entry
    return entry.promise
  }

  return {
    rebuild,
    start() {
      task ??= schedule(cron, () => rebuild().then(() => undefined, onError), {
        name: 'feedwright-build',
        noOverlap: true,
      })
    },
    async stop() {
      await task?.stop()
      task = undefined
      await queued?.promise.catch(() => undefined)
      await running?.catch(() => undefined)
    },
  }
}
