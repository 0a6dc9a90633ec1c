// What GET /readyz checks: each reason the service is not serving what it should, or none.
import type { BuildReport } from './builder/report.js'
import { probeWritable } from './lib/directories.js'
import { describeError } from './log.js'

/** How the builds are going, as the service saw them (kept by service.ts from the scheduler). */
export interface BuildStatus {
  latest?: BuildReport
  /** When the last build that ended without throwing finished. */
  lastSuccessAt?: Date
  /** The last build that threw, if none ended since. */
  lastError?: { at: Date; message: string }
  /**
   * The start had nothing to serve (nothing restored, nothing shared) and no build has ended
   * since: what is published comes from a first build still running, so some feeds are missing.
   */
  firstBuildPending?: boolean
}

/** One reason for not being ready: a stable code, a sentence, and details where they help. */
export interface NotReady {
  reason:
    | 'nothing-published'
    | 'first-build-running'
    | 'serving-restored'
    | 'outputs-failed'
    | 'items-quarantined'
    | 'build-failed'
    | 'feeds-dir-not-writable'
    | 'store-not-answering'
    | 'build-stale'
  detail: string
  [extension: string]: unknown
}

export interface ReadinessOptions {
  published: () => number
  /** How many outputs served are those the last run left in feeds/ (no build has replaced them). */
  restored?: () => number
  status: () => BuildStatus
  feedsDir: string
  /** A cheap store query; its failure or slowness makes the service not ready. */
  pingStore: () => Promise<unknown>
  /** The build schedule's period; a last success older than `periods` of them is stale. */
  periodSeconds: number
  periods: number
  /** When the service started, the base for staleness before any build ended. */
  startedAt: Date
  now?: () => Date
  storeTimeoutMs?: number
}

const STORE_TIMEOUT_MS = 2_000

/** Resolves when `promise` does, or rejects after `ms`: a store that hangs is not answering. */
const within = <T>(promise: Promise<T>, ms: number): Promise<T> =>
  new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms)
    promise.then(resolve, reject).finally(() => clearTimeout(timer))
  })

/**
 * What is served instead of a whole build's outputs: nothing, part of a first build's (a start with
 * nothing to serve that builds while listening: its store was away at start), or what the last run
 * left.
 */
const servedReasons = (options: ReadinessOptions, status: BuildStatus): NotReady[] => {
  const reasons: NotReady[] = []
  const published = options.published()
  if (published === 0)
    reasons.push({ reason: 'nothing-published', detail: 'no feed has been published yet' })
  else if (status.firstBuildPending)
    reasons.push({
      reason: 'first-build-running',
      detail: `the first build since start-up is running: ${published} outputs published so far`,
    })
  const restored = options.restored?.() ?? 0
  if (restored > 0)
    reasons.push({
      reason: 'serving-restored',
      detail: `serving ${restored} outputs the last run left in ${options.feedsDir} until a build succeeds`,
    })
  return reasons
}

/** Returns the check: the reasons for not being ready, empty when ready. */
export const createReadiness = (options: ReadinessOptions) => {
  const now = options.now ?? (() => new Date())
  const storeTimeoutMs = options.storeTimeoutMs ?? STORE_TIMEOUT_MS
  return async function notReady(): Promise<NotReady[]> {
    const status = options.status()
    const reasons = servedReasons(options, status)
    const { latest, lastSuccessAt, lastError } = status
    if (latest && latest.failures.length > 0)
      reasons.push({
        reason: 'outputs-failed',
        detail: `build ${latest.id} could not publish ${latest.failures.length} outputs; the last good ones are served`,
        outputs: latest.failures.map(({ feed, rule, message }) => ({ feed, rule, message })),
      })
    // An item that made its documents fail is left out of them: the feeds are served without it.
    if (latest && latest.quarantinedTotal > 0)
      reasons.push({
        reason: 'items-quarantined',
        detail: `${latest.quarantinedTotal} items are left out of the feeds served: each made its document fail its check`,
        items: latest.quarantined.map(({ article, feed, rule, message }) => ({
          article,
          feed,
          rule,
          message,
        })),
      })
    if (lastError)
      reasons.push({
        reason: 'build-failed',
        detail: `the last build failed at ${lastError.at.toISOString()}: ${lastError.message}`,
      })
    const [writeProblem, storeProblem] = await Promise.all([
      probeWritable(options.feedsDir),
      within(options.pingStore(), storeTimeoutMs).then(
        () => undefined,
        (error: unknown) => describeError(error),
      ),
    ])
    if (writeProblem)
      reasons.push({
        reason: 'feeds-dir-not-writable',
        detail: `FEEDS_DIR ${options.feedsDir} cannot be written (${writeProblem})`,
      })
    if (storeProblem)
      reasons.push({
        reason: 'store-not-answering',
        detail: `the store does not answer: ${storeProblem}`,
      })
    const since = lastSuccessAt ?? options.startedAt
    const limitMs = options.periods * options.periodSeconds * 1000
    if (now().getTime() - since.getTime() > limitMs)
      reasons.push({
        reason: 'build-stale',
        detail:
          `${lastSuccessAt ? 'the last successful build ended' : 'no build has ended since start-up at'} ` +
          `${since.toISOString()}, more than ${options.periods} build periods (${options.periodSeconds} s each) ago`,
      })
    return reasons
  }
}
