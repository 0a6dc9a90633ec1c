// Serving what the last build published (feeds, index page); never render or compress on a request.
import { type Handler, Hono } from 'hono'
import { type Coding, encodedEtag, negotiateEncoding } from '../publish/encodings.js'
import type { PublishedOutput, PublishedOutputs } from '../publish/outputs.js'
import { isNotModified } from './conditional.js'
import { clientAddress, politePolling } from './middleware/polite-polling.js'
import { notFound } from './problem.js'

export interface FeedRoutesOptions {
  outputs: PublishedOutputs
  /** Seconds a cache may reuse a feed: the build schedule's period (the feeds' RSS <ttl>). */
  maxAgeSeconds: number
  /** Minimum seconds between unconditional fetches of one feed by one client; 0 turns it off. */
  politePollingSeconds?: number
  trustProxy?: boolean
}

interface Variant {
  body: Uint8Array<ArrayBuffer>
  etag: string
  headers: Record<string, string>
}

const CODINGS: readonly Coding[] = ['identity', 'gzip', 'br']

/**
 * A handler serving the published output at the request's path (feeds and the index page): the
 * encoding the client accepts, with validators, and 304 when its copy is current.
 */
export const publishedHandler = ({
  outputs,
  maxAgeSeconds,
}: Pick<FeedRoutesOptions, 'outputs' | 'maxAgeSeconds'>): Handler => {
  // Fresh for one build period, and usable while revalidating for one more (RFC 5861 §3).
  const cacheControl = `public, max-age=${maxAgeSeconds}, stale-while-revalidate=${maxAgeSeconds}`
  // Outputs are immutable, so each one's variants and headers are built once, not per request.
  const variantsOf = new WeakMap<PublishedOutput, Record<Coding, Variant>>()
  const variantsFor = (output: PublishedOutput): Record<Coding, Variant> => {
    let variants = variantsOf.get(output)
    if (!variants) {
      const lastModified = output.lastModified.toUTCString()
      const entries = CODINGS.map((coding): [Coding, Variant] => {
        const etag = encodedEtag(output.etag, coding)
        return [
          coding,
          {
            body: coding === 'identity' ? output.body : output.encoded[coding],
            etag,
            headers: {
              'Content-Type': output.contentType,
              ...(coding !== 'identity' && { 'Content-Encoding': coding }),
              ETag: etag,
              'Last-Modified': lastModified,
              'Cache-Control': cacheControl,
              // The body depends on Accept-Encoding: shared caches must key on it (RFC 9110 §12.5.5).
              Vary: 'Accept-Encoding',
              'X-Content-Type-Options': 'nosniff',
            },
          },
        ]
      })
      variants = Object.fromEntries(entries) as Record<Coding, Variant>
      variantsOf.set(output, variants)
    }
    return variants
  }

  return function servePublished(c) {
    const output = outputs.get(c.req.path)
    if (!output) return notFound(c)
    const variant = variantsFor(output)[negotiateEncoding(c.req.header('accept-encoding'))]
    const notModified = isNotModified(
      {
        ifNoneMatch: c.req.header('if-none-match'),
        ifModifiedSince: c.req.header('if-modified-since'),
      },
      { etag: variant.etag, lastModified: variant.headers['Last-Modified']! },
    )
    // RFC 9110 §15.4.5: a 304 carries the validators and caching headers a 200 would have.
    return notModified
      ? c.body(null, 304, variant.headers)
      : c.body(variant.body, 200, variant.headers)
  }
}

/** The /feeds/* sub-app. HEAD is answered by Hono from the GET route, without a body. */
export const feedRoutes = (options: FeedRoutesOptions) => {
  const { politePollingSeconds = 0, trustProxy = false } = options
  const app = new Hono()
  if (politePollingSeconds > 0) {
    app.use(
      politePolling({
        minIntervalSeconds: politePollingSeconds,
        clientOf: clientAddress(trustProxy),
      }),
    )
  }
  return app.get('/*', publishedHandler(options))
}
