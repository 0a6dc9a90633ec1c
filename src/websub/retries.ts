// Background tasks retried with exponential backoff, which can be awaited (tests, shutdown) and
// cancelled (close).

/** One attempt: resolving is success; throwing asks for a retry and says why. */
export type Attempt = (n: number) => Promise<void>

export interface RetryOptions {
  /** Attempts in all, the first included. */
  attempts: number
  /** Wait before the second attempt; doubled for each one after. */
  baseMs: number
  /** Told what was given up and why the last attempt failed. */
  onGiveUp?: (what: string, reason: string) => void
}

export interface Retrier {
  /** Runs `attempt` now and again after each throw, up to `attempts` times. */
  run(what: string, attempt: Attempt): void
  /** Resolves once nothing is running or waiting. */
  idle(): Promise<void>
  /** Stops waiting retries; running attempts finish but are not retried. */
  close(): void
}

// A retry never waits longer than an hour.
const MAX_WAIT_MS = 3_600_000

export const retryDelayMs = (attempt: number, baseMs: number): number =>
  Math.min(MAX_WAIT_MS, baseMs * 2 ** (attempt - 1))

export const createRetrier = ({ attempts, baseMs, onGiveUp }: RetryOptions): Retrier => {
  const running = new Set<Promise<void>>()
  // Each waiting retry: its timer, and how to wake it early (with false: do not go on).
  const waiting = new Map<NodeJS.Timeout, (goOn: boolean) => void>()
  let closed = false
  const wait = (ms: number) =>
    new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => {
        waiting.delete(timer)
        resolve(!closed)
      }, ms)
      waiting.set(timer, resolve)
    })
  const loop = async (what: string, attempt: Attempt) => {
    let reason = 'closed'
    for (let n = 1; n <= attempts && !closed; n += 1) {
      try {
        await attempt(n)
        return
      } catch (error) {
        reason = error instanceof Error ? error.message : String(error)
      }
      if (n === attempts || closed || !(await wait(retryDelayMs(n, baseMs)))) break
    }
    if (!closed) onGiveUp?.(what, reason)
  }
  return {
    run: (what, attempt) => {
      const task = loop(what, attempt).finally(() => running.delete(task))
      running.add(task)
    },
    idle: async () => {
      while (running.size > 0) await Promise.all([...running])
    },
    close: () => {
      closed = true
      for (const [timer, wake] of waiting) {
        clearTimeout(timer)
        wake(false)
      }
      waiting.clear()
    },
  }
}
