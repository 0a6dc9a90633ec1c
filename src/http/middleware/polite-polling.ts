// Optional guard for aggregators: an unconditional re-fetch of the same feed sooner than allowed is
// answered 429 with Retry-After. Conditional requests are never throttled: they are the polite way.
import type { Context, MiddlewareHandler } from 'hono'
import { problemResponse } from '../problem.js'

export interface PolitePollingOptions {
  minIntervalSeconds: number
  /** Identifies the client (its address, or the first X-Forwarded-For entry behind a proxy). */
  clientOf: (c: Context) => string
  now?: () => number
  /** Clients remembered at most; the oldest are forgotten first, so memory stays bounded. */
  maxEntries?: number
}

export const politePolling = (options: PolitePollingOptions): MiddlewareHandler => {
  const { clientOf, now = Date.now, maxEntries = 100_000 } = options
  const intervalMs = options.minIntervalSeconds * 1000
  // Insertion order is age order: a fetch re-inserts its key at the end.
  const lastFetch = new Map<string, number>()

  return async function politePolling(c, next) {
    const conditional = c.req.header('if-none-match') ?? c.req.header('if-modified-since')
    if (conditional !== undefined || (c.req.method !== 'GET' && c.req.method !== 'HEAD')) {
      return next()
    }
    const key = `${clientOf(c)} ${c.req.path}`
    const at = now()
    const last = lastFetch.get(key)
    if (last !== undefined && at - last < intervalMs) {
      const wait = Math.ceil((last + intervalMs - at) / 1000)
      return problemResponse(
        c,
        429,
        `This feed was fetched ${Math.floor((at - last) / 1000)} s ago; fetch it at most every ` +
          `${options.minIntervalSeconds} s, or send If-None-Match / If-Modified-Since (never limited).`,
        {},
        { 'Retry-After': String(wait) },
      )
    }
    lastFetch.delete(key)
    lastFetch.set(key, at)
    if (lastFetch.size > maxEntries) lastFetch.delete(lastFetch.keys().next().value!)
    return next()
  }
}

/** The client's address: the socket's, or the first X-Forwarded-For entry when behind a proxy. */
export const clientAddress =
  (trustProxy: boolean) =>
  (c: Context): string => {
    const forwarded = trustProxy
      ? c.req.header('x-forwarded-for')?.split(',')[0]?.trim()
      : undefined
    const incoming = (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)
      ?.incoming
    return forwarded || incoming?.socket?.remoteAddress || 'unknown'
  }
