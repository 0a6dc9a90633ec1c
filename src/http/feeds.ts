// Feed routes: serve what the last build published, never render on a request.
import { Hono } from 'hono'
import type { PublishedOutputs } from '../publish/outputs.js'
import { conditionalGet } from './middleware/conditional-get.js'
import { notFound } from './problem.js'

export interface FeedRoutesOptions {
  outputs: PublishedOutputs
  /** Seconds a cache may reuse a feed; derived from the build schedule by the caller. */
  maxAgeSeconds: number
}

/** The /feeds/* sub-app. HEAD is answered by Hono from the GET route, without a body. */
export const feedRoutes = ({ outputs, maxAgeSeconds }: FeedRoutesOptions) => {
  const cacheControl = `public, max-age=${maxAgeSeconds}`
  return new Hono().use(conditionalGet()).get('/*', (c) => {
    const output = outputs.get(c.req.path)
    if (!output) return notFound(c)
    return c.body(output.body, 200, {
      'Content-Type': output.contentType,
      ETag: output.etag,
      'Last-Modified': output.lastModified.toUTCString(),
      'Cache-Control': cacheControl,
      'X-Content-Type-Options': 'nosniff',
    })
  })
}
