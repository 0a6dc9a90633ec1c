// Wakes the builder when the next scheduled article falls due, instead of waiting for the cron.

export interface DueTimerOptions {
  /** When (ISO) the next article falls due, if any: the store's `nextDue`. */
  nextDue: () => Promise<string | undefined>
  /** Called at that time: asks for a build, which publishes the article. */
  onDue: () => void
  clock?: () => Date
  onError: (error: unknown) => void
}

export interface DueTimer {
  /** Sets the timer for the next due article (after each build, which may have changed it). */
  arm(): void
  stop(): void
}

// setTimeout's longest delay (2^31 - 1 ms, about 24.8 days); a longer wait wakes, finds nothing
// due, and sleeps again after that build.
const MAX_DELAY_MS = 2_147_483_647

export const createDueTimer = ({
  nextDue,
  onDue,
  clock = () => new Date(),
  onError,
}: DueTimerOptions): DueTimer => {
  let timer: NodeJS.Timeout | undefined
  let stopped = false
  return {
    arm() {
      nextDue().then((due) => {
        clearTimeout(timer)
        timer = undefined
        if (due === undefined || stopped) return
        const delay = Math.min(Math.max(Date.parse(due) - clock().getTime(), 0), MAX_DELAY_MS)
        timer = setTimeout(function articleDue() {
          timer = undefined
          onDue()
        }, delay)
        timer.unref()
      }, onError)
    },
    stop() {
      stopped = true
      clearTimeout(timer)
    },
  }
}
