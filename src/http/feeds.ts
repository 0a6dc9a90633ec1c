// Serving what the last build published (feeds, pages for people, the index page); never render or
// compress on a request.
import { type Context, type Handler, Hono } from 'hono'
import {
  archiveMonthOf,
  feedUrlPath,
  oldPageOf,
  pageUrlPath,
  siteUrlOf,
  stablePagesOf,
  stablePageUrlPath,
  viewOfUrl,
} from '../feeds/paths.js'
import { FEED_FORMATS } from '../feeds/formats.js'
import { type Coding, encodedEtag, negotiateEncoding } from '../publish/encodings.js'
import { isFeed, type PublishedOutput, type PublishedOutputs } from '../publish/outputs.js'
import type { Shelf, ShelvedOutput } from '../publish/shelf.js'
import { cachePolicy } from './cache-policy.js'
import { isNotModified } from './conditional.js'
import { clientAddress, politePolling } from './middleware/polite-polling.js'
import { notFound, problemResponse } from './problem.js'

export interface FeedRoutesOptions {
  outputs: PublishedOutputs
  /** Seconds a cache may reuse a feed: the build schedule's period (the feeds' RSS <ttl>). */
  maxAgeSeconds: number
  /** The site's URL (feeds' self URLs) and the WebSub hub, for the Link header of feeds. */
  siteUrl: string
  hubUrl: string
  /** Minimum seconds between unconditional fetches of one feed by one client; 0 turns it off. */
  politePollingSeconds?: number
  trustProxy?: boolean
  /** Epoch ms; decides when an archive month is final. */
  now?: () => number
  /** The archives and stable pages, served from their files. */
  shelf?: Shelf
}

interface Variant {
  /** In memory; for a shelved output the bytes are read from its file per request. */
  body?: Uint8Array<ArrayBuffer>
  etag: string
  lastModified: string
  /** For a 304: the validators and caching headers. */
  headers: Readonly<Record<string, string>>
  /**
   * The answers' status and headers, made once: a handler returns `new Response(body, init)` with
   * these plain objects, which @hono/node-server writes straight to `writeHead` (no `Headers`).
   */
  notModified: ResponseInit
  /** For a 200 from memory: those headers and the Content-Length, which a HEAD answer keeps too. */
  ok: ResponseInit
}

/** What can be served: an output in memory or one on the shelf. */
type Servable = PublishedOutput | ShelvedOutput

const inMemory = (output: Servable): output is PublishedOutput => 'body' in output

type Variants = Record<Coding, Variant>

const CODINGS: readonly Coding[] = ['identity', 'gzip', 'br']
// The pages for people are our own HTML with inline styles and no script: allow nothing else, so
// that no text from an article could ever run as code or load anything.
const PAGE_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; img-src https: data:; base-uri 'none'; " +
  "form-action 'none'; frame-ancestors 'none'"
// Fetch §3.2.3 (CORS protocol): any origin may read; ETag and Link are not CORS-safelisted
// response headers, so they are exposed for conditional polling and WebSub discovery.
const CROSS_ORIGIN = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Expose-Headers': 'ETag, Link',
} as const
const PAGE_NUMBER = /^[1-9]\d{0,5}$/

/**
 * A browser opening the URL as a page: Fetch Metadata (sent by Chrome, Firefox, Safari 16.4+)
 * says so. Feed readers and scripts do not send it, so they always get the feed's exact bytes.
 */
const isNavigation = (c: Context): boolean => c.req.header('sec-fetch-dest') === 'document'

/**
 * `?page=N` on a feed URL: a permanent redirect to the page's path (RFC 5005 links use paths),
 * when something answers there (a page, or a positional page's redirect: `stablePageFor`).
 */
const redirectToPage = (
  c: Context,
  find: (urlPath: string) => Servable | undefined,
  urlPath: string,
  page: string,
  stablePageFor: (urlPath: string) => string | undefined,
) => {
  if (!PAGE_NUMBER.test(page))
    return problemResponse(c, 400, 'page must be a positive whole number', { field: 'page' })
  const target = pageUrlPath(urlPath, Number(page))
  return find(target) || stablePageFor(target) ? c.redirect(target, 301) : notFound(c)
}

/**
 * Where a positional page's URL (`…/page/N/`, the scheme before stable pages) leads now: page N
 * (N ≥ 2) goes to the (N-1)-th newest stable page, which holds the newest of the items page N
 * would hold (or items just newer: `next` from there loses nothing). Undefined when the feed has
 * no such page. The newest stable page of a feed is found in the list of outputs once, then
 * again only when it is gone or a newer one appeared.
 */
const stablePages = (
  find: (urlPath: string) => Servable | undefined,
  list: () => Iterable<Servable>,
) => {
  const newest = new Map<string, number>()
  const served = (feedPath: string, n: number) =>
    find(stablePageUrlPath(feedPath, n, FEED_FORMATS.rss.file)) !== undefined
  const newestOf = (feedPath: string): number => {
    const known = newest.get(feedPath)
    const current = known !== undefined && (known === 0 || served(feedPath, known))
    if (current && !served(feedPath, known + 1)) return known
    const pages = stablePagesOf(
      feedPath,
      [...list()].map((o) => o.urlPath),
    )
    const found = Math.max(0, ...pages)
    newest.set(feedPath, found)
    return found
  }
  return (urlPath: string): string | undefined => {
    const old = oldPageOf(urlPath)
    if (!old || old.page < 2 || !find(feedUrlPath(old.feedPath, 'rss'))) return undefined
    const page = newestOf(old.feedPath) - (old.page - 2)
    const target = stablePageUrlPath(old.feedPath, page, old.file)
    return page >= 1 && find(target) ? target : undefined
  }
}

/**
 * A positional page's URL answers `302 Found` (RFC 9110 §15.4.3) with the stable page that holds
 * its items now: temporary, since that page changes as the feed grows (a 301 would be cached
 * for good). Readable from any origin, and cached as long as a feed.
 */
const redirectToStablePage = (c: Context, target: string, maxAgeSeconds: number): Response => {
  c.header('Cache-Control', `public, max-age=${maxAgeSeconds}`)
  for (const [name, value] of Object.entries(CROSS_ORIGIN)) c.header(name, value)
  return c.redirect(target, 302)
}

type VariantSettings = Pick<FeedRoutesOptions, 'maxAgeSeconds' | 'siteUrl' | 'hubUrl'> & {
  now: () => number
}

/** The Link header of an output: feeds name themselves and, unless archived, the hub. */
const linkOf = (output: Servable, { siteUrl, hubUrl }: VariantSettings): string | undefined => {
  if (!isFeed(output.format)) return undefined
  // Archives have a self URL but no hub: they are not subscribed to (stable pages are).
  // Header values are ASCII: a slug in another script goes percent-encoded.
  const self = `<${siteUrlOf(siteUrl, output.urlPath)}>; rel="self"`
  return archiveMonthOf(output.urlPath) === undefined ? `<${hubUrl}>; rel="hub", ${self}` : self
}

/** One coding of an output: its body when in memory, validators and headers. */
const variantOf = (
  output: Servable,
  coding: Coding,
  shared: { lastModified: string; cacheControl: string; link: string | undefined },
): Variant => {
  const etag = encodedEtag(output.etag, coding)
  const body = !inMemory(output)
    ? undefined
    : coding === 'identity'
      ? output.body
      : output.encoded[coding]
  const headers = {
    'Content-Type': output.contentType,
    ...(coding !== 'identity' && { 'Content-Encoding': coding }),
    ETag: etag,
    'Last-Modified': shared.lastModified,
    'Cache-Control': shared.cacheControl,
    // The body depends on these request headers: shared caches must key on them
    // (RFC 9110 §12.5.5).
    Vary: 'Accept-Encoding, Sec-Fetch-Dest',
    'X-Content-Type-Options': 'nosniff',
    ...(shared.link && { Link: shared.link }),
    // Feeds and the OPML list are public data that other origins' readers may fetch;
    // pages for people and the admin API are not shared this way.
    ...(output.format !== 'html' && CROSS_ORIGIN),
    ...(output.format === 'html' && { 'Content-Security-Policy': PAGE_CSP }),
  }
  // HEAD is answered from this route without a body: the length is said explicitly, or it
  // would be missing (RFC 9110 §9.3.2: the same header fields as a GET).
  const okHeaders = body ? { ...headers, 'Content-Length': String(body.byteLength) } : headers
  // Shared by every answer of this variant: frozen, so that nothing could change one for all.
  return {
    ...(body && { body }),
    etag,
    lastModified: shared.lastModified,
    headers: Object.freeze(headers),
    notModified: Object.freeze({ status: 304, headers: Object.freeze(headers) }),
    ok: Object.freeze({ status: 200, headers: Object.freeze(okHeaders) }),
  }
}

/**
 * Each output's variants, built once rather than per request since outputs are immutable; again
 * only when its cache policy changes (an archive month becoming final).
 */
const variantCache = (settings: VariantSettings): ((output: Servable) => Variants) => {
  const cached = new WeakMap<Servable, { variants: Variants; reviewAt?: number }>()
  const make = (output: Servable) => {
    const policy = cachePolicy(output.urlPath, settings.maxAgeSeconds, settings.now())
    const shared = {
      lastModified: output.lastModified.toUTCString(),
      cacheControl: policy.cacheControl,
      link: linkOf(output, settings),
    }
    const variants = Object.fromEntries(
      CODINGS.map((coding) => [coding, variantOf(output, coding, shared)]),
    ) as Variants
    return { variants, ...(policy.reviewAt !== undefined && { reviewAt: policy.reviewAt }) }
  }
  return (output) => {
    let entry = cached.get(output)
    if (!entry || (entry.reviewAt !== undefined && settings.now() >= entry.reviewAt)) {
      entry = make(output)
      cached.set(output, entry)
    }
    return entry.variants
  }
}

/**
 * The answer a variant gives from memory: 304 when the client's copy is current, else its bytes;
 * undefined when its bytes are in a file on the shelf.
 */
const answerFromMemory = (c: Context, variant: Variant): Response | undefined => {
  const notModified = isNotModified(
    {
      ifNoneMatch: c.req.header('if-none-match'),
      ifModifiedSince: c.req.header('if-modified-since'),
    },
    variant,
  )
  // RFC 9110 §15.4.5: a 304 carries the validators and caching headers a 200 would have.
  if (notModified) return new Response(null, variant.notModified)
  if (variant.body) return new Response(variant.body, variant.ok)
  return undefined
}

/** A shelved variant's bytes; a file can go between the lookup and the read (its month emptied). */
const answerFromShelf = (c: Context, variant: Variant, body: Promise<Uint8Array<ArrayBuffer>>) =>
  body.then(
    (bytes) =>
      c.body(bytes, 200, { ...variant.headers, 'Content-Length': String(bytes.byteLength) }),
    () => notFound(c),
  )

/**
 * A handler serving the published output at the request's path (feeds, their pages for people and
 * the index page): the encoding the client accepts, with validators, and 304 when its copy is
 * current; any other method than GET (HEAD arrives as one) is refused.
 *
 * One handler per route, for every method, and not async: Hono then calls it without composing a
 * chain, and an answer from memory (nearly all of them) goes out without a promise in between.
 */
export const publishedHandler = ({
  outputs,
  maxAgeSeconds,
  siteUrl,
  hubUrl,
  now = Date.now,
  shelf,
}: Pick<
  FeedRoutesOptions,
  'outputs' | 'maxAgeSeconds' | 'siteUrl' | 'hubUrl' | 'now' | 'shelf'
>): Handler => {
  const find = (urlPath: string): Servable | undefined =>
    outputs.get(urlPath) ?? shelf?.get(urlPath)
  const variantsFor = variantCache({ maxAgeSeconds, siteUrl, hubUrl, now })
  const refuse = methodNotAllowed(find)
  // Stable pages are on the shelf when there is one, else in memory.
  const stablePageFor = stablePages(find, () => [...outputs.list(), ...(shelf?.list() ?? [])])

  return function servePublished(c, next) {
    if (c.req.method !== 'GET') return refuse(c, next)
    const urlPath = c.req.path
    let output = find(urlPath)
    if (!output) {
      const target = stablePageFor(urlPath)
      return target ? redirectToStablePage(c, target, maxAgeSeconds) : notFound(c)
    }
    const hasQuery = c.req.url.includes('?')
    if (hasQuery && isFeed(output.format)) {
      const page = c.req.query('page')
      if (page !== undefined) return redirectToPage(c, find, urlPath, page, stablePageFor)
    }
    // `?raw` keeps the feed's bytes for a person who wants to read the XML or JSON itself.
    if (
      isFeed(output.format) &&
      isNavigation(c) &&
      !(hasQuery && c.req.query('raw') !== undefined)
    ) {
      output = find(viewOfUrl(urlPath)) ?? output
    }
    const coding = negotiateEncoding(c.req.header('accept-encoding'))
    const variant = variantsFor(output)[coding]
    return (
      answerFromMemory(c, variant) ??
      answerFromShelf(c, variant, shelf!.read(output as ShelvedOutput, coding))
    )
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
  return app.all('/*', publishedHandler(options))
}

/**
 * Any other method on a published document: 405 naming the methods it has (RFC 9110 §15.5.6);
 * 404 where nothing is published.
 */
const methodNotAllowed = (find: (urlPath: string) => unknown): Handler =>
  function methodNotAllowed(c) {
    if (!find(c.req.path)) return notFound(c)
    return problemResponse(
      c,
      405,
      `${c.req.method} is not allowed here; feeds are read with GET or HEAD.`,
      {},
      { Allow: 'GET, HEAD' },
    )
  }
