// Conditional GET (RFC 9110 §13): whether the client's cached copy is still the current one.

const opaqueTag = (tag: string): string => tag.trim().replace(/^W\//, '')

/** RFC 9110 §13.1.2: If-None-Match uses the weak comparison; `*` matches any current representation. */
export const matchesIfNoneMatch = (header: string, etag: string): boolean =>
  // The common case first: a reader sending back the one ETag it was given.
  header === etag ||
  header.trim() === '*' ||
  header.split(',').some((tag) => opaqueTag(tag) === opaqueTag(etag))

/**
 * True when a GET or HEAD may be answered 304. RFC 9110 §13.2.2: If-None-Match decides when present;
 * If-Modified-Since is only evaluated without it, and ignored when it is not a valid date (§13.1.3).
 */
export const isNotModified = (
  request: { ifNoneMatch?: string | undefined; ifModifiedSince?: string | undefined },
  current: { etag: string; lastModified: string },
): boolean => {
  if (request.ifNoneMatch !== undefined)
    return matchesIfNoneMatch(request.ifNoneMatch, current.etag)
  if (request.ifModifiedSince === undefined) return false
  const since = Date.parse(request.ifModifiedSince)
  return !Number.isNaN(since) && Date.parse(current.lastModified) <= since
}
