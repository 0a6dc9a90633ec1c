// How often a cron schedule runs: the basis of RSS <ttl> and Cache-Control max-age.
import { createTask } from 'node-cron'

// A fixed window, so the answer depends on the expression only, never on today's date.
const WINDOW_START = Date.UTC(2024, 0, 1)
const WINDOW_MINUTES = 2 * 24 * 60
const FALLBACK_SECONDS = 3_600

/**
 * The typical gap, in seconds, between two runs of `cron` (the median over two fixed days at
 * minute resolution), clamped to [60, 86400]. Schedules rarer than that window give one hour.
 */
export const cronIntervalSeconds = (cron: string): number => {
  const task = createTask(cron, () => undefined)
  try {
    const runs: number[] = []
    for (let minute = 0; minute < WINDOW_MINUTES; minute += 1) {
      if (task.match(new Date(WINDOW_START + minute * 60_000))) runs.push(minute)
    }
    const gaps = runs
      .slice(1)
      .map((run, i) => (run - runs[i]!) * 60)
      .sort((a, b) => a - b)
    const median = gaps[Math.floor(gaps.length / 2)]
    return median === undefined ? FALLBACK_SECONDS : Math.min(86_400, Math.max(60, median))
  } finally {
    void task.destroy()
  }
}
