// Requests per client per minute, as a token bucket: a client may send `perMinute` at once, then
// one every 60/perMinute seconds; beyond that, 429 with Retry-After (RFC 6585 §4).
import type { Context, MiddlewareHandler } from 'hono'
import { TooManyRequestsError } from '../../lib/errors.js'

export interface RateLimitOptions {
  perMinute: number
  /** Identifies the client (its address, or the first X-Forwarded-For entry behind a proxy). */
  clientOf: (c: Context) => string
  /** Names what is limited, for the error message. */
  what: string
  now?: () => number
  /** Clients remembered at most; the least recently seen are forgotten first. */
  maxEntries?: number
}

export const rateLimit = (options: RateLimitOptions): MiddlewareHandler => {
  const { perMinute, clientOf, what, now = Date.now, maxEntries = 100_000 } = options
  const msPerToken = 60_000 / perMinute
  // Per client: the time at which its bucket is full again (GCRA form of the token bucket).
  const fullAt = new Map<string, number>()

  return async function rateLimit(c, next) {
    const client = clientOf(c)
    const at = now()
    const earliest = Math.max(fullAt.get(client) ?? at, at)
    const due = earliest + msPerToken
    // The bucket holds perMinute tokens: a request is allowed while its debt is at most a minute.
    if (due - at > 60_000) {
      throw new TooManyRequestsError(
        `http: at most ${perMinute} ${what} per minute from one client`,
        (due - at - 60_000) / 1000,
      )
    }
    fullAt.delete(client)
    fullAt.set(client, due)
    if (fullAt.size > maxEntries) fullAt.delete(fullAt.keys().next().value!)
    await next()
  }
}
