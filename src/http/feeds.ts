// Feed routes: serve what the last build published, never render on a request.
import { Hono } from 'hono'
import type { PublishedOutput, PublishedOutputs } from '../publish/outputs.js'
import { isNotModified } from './conditional.js'
import { notFound } from './problem.js'

export interface FeedRoutesOptions {
  outputs: PublishedOutputs
  /** Seconds a cache may reuse a feed; derived from the build schedule by the caller. */
  maxAgeSeconds: number
}

interface FeedHeaders extends Record<string, string> {
  'Content-Type': string
  ETag: string
  'Last-Modified': string
  'Cache-Control': string
}

/** The /feeds/* sub-app. HEAD is answered by Hono from the GET route, without a body. */
export const feedRoutes = ({ outputs, maxAgeSeconds }: FeedRoutesOptions) => {
  const cacheControl = `public, max-age=${maxAgeSeconds}`
  // Outputs are immutable, so their headers are built once per output, not once per request.
  const headersOf = new WeakMap<PublishedOutput, FeedHeaders>()
  const headersFor = (output: PublishedOutput): FeedHeaders => {
    let headers = headersOf.get(output)
    if (!headers) {
      headers = {
        'Content-Type': output.contentType,
        ETag: output.etag,
        'Last-Modified': output.lastModified.toUTCString(),
        'Cache-Control': cacheControl,
        'X-Content-Type-Options': 'nosniff',
      }
      headersOf.set(output, headers)
    }
    return headers
  }

  return new Hono().get('/*', (c) => {
    const output = outputs.get(c.req.path)
    if (!output) return notFound(c)
    const headers = headersFor(output)
    const notModified = isNotModified(
      {
        ifNoneMatch: c.req.header('if-none-match'),
        ifModifiedSince: c.req.header('if-modified-since'),
      },
      { etag: output.etag, lastModified: headers['Last-Modified'] },
    )
    // RFC 9110 §15.4.5: a 304 carries the validators and caching headers a 200 would have.
    return notModified ? c.body(null, 304, headers) : c.body(output.body, 200, headers)
  })
}
