// Conditional GET (RFC 9110 §13): turns a 200 into a 304 when the client's copy is current.
import type { MiddlewareHandler } from 'hono'

// RFC 9110 §15.4.5: a 304 carries the headers a 200 would have had that describe the representation.
const KEPT_ON_304 = [
  'cache-control',
  'content-location',
  'date',
  'etag',
  'expires',
  'vary',
  'last-modified',
]

const opaqueTag = (tag: string): string => tag.trim().replace(/^W\//, '')

/** RFC 9110 §13.1.2: If-None-Match uses the weak comparison; `*` matches any current representation. */
export const matchesIfNoneMatch = (header: string, etag: string): boolean =>
  header.trim() === '*' || header.split(',').some((tag) => opaqueTag(tag) === opaqueTag(etag))

/**
 * RFC 9110 §13.2.2: If-None-Match decides when present; If-Modified-Since is only evaluated without
 * it. An unparsable If-Modified-Since is ignored (§13.1.3).
 */
export const isNotModified = (
  request: { ifNoneMatch?: string; ifModifiedSince?: string },
  response: { etag?: string; lastModified?: string },
): boolean => {
  if (request.ifNoneMatch !== undefined) {
    return response.etag !== undefined && matchesIfNoneMatch(request.ifNoneMatch, response.etag)
  }
  if (request.ifModifiedSince === undefined || response.lastModified === undefined) return false
  const since = Date.parse(request.ifModifiedSince)
  const modified = Date.parse(response.lastModified)
  return !Number.isNaN(since) && !Number.isNaN(modified) && modified <= since
}

/** Middleware: for GET and HEAD answered 200 with validators, answers 304 when they match. */
export const conditionalGet = (): MiddlewareHandler =>
  async function conditionalGet(c, next) {
    await next()
    const method = c.req.method
    if ((method !== 'GET' && method !== 'HEAD') || c.res.status !== 200) return
    const notModified = isNotModified(
      {
        ifNoneMatch: c.req.header('if-none-match'),
        ifModifiedSince: c.req.header('if-modified-since'),
      },
      {
        etag: c.res.headers.get('etag') ?? undefined,
        lastModified: c.res.headers.get('last-modified') ?? undefined,
      },
    )
    if (!notModified) return
    const headers = new Headers()
    for (const name of KEPT_ON_304) {
      const value = c.res.headers.get(name)
      if (value !== null) headers.set(name, value)
    }
    c.res = new Response(null, { status: 304, headers })
  }
