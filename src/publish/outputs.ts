// Published outputs held in memory: the bytes requests are served from, with their validators.
import { strongEtag } from '../lib/hash.js'
import { toWholeSeconds } from '../lib/dates.js'
import { FEED_FORMATS, type FeedFormat, PAGE_TYPES } from '../feeds/formats.js'
import { compress, type Encoding } from './encodings.js'

/** A feed format, or what is published beside the feeds: HTML pages, the OPML list of feeds. */
export type OutputFormat = FeedFormat | 'html' | 'opml'

/** Whether an output is a feed document (subscribed to, announced over WebSub). */
export const isFeed = (format: OutputFormat): format is FeedFormat => format in FEED_FORMATS

const UTF8 = new TextEncoder()

/** One rendered document with its validators, before its compressed forms are made. */
export interface RenderedOutput {
  /** URL path, e.g. /feeds/tags/nasa/atom.xml; files under feeds/ mirror it. */
  urlPath: string
  feedKey: string
  format: OutputFormat
  contentType: string
  body: Uint8Array<ArrayBuffer>
  /** Strong ETag of the bytes, computed once here, never per request. */
  etag: string
  /** The feed's `updated`, in whole seconds as HTTP dates carry it. */
  lastModified: Date
}

/** One published document: immutable once made; a rebuild replaces it whole. */
export interface PublishedOutput extends RenderedOutput {
  /** The body compressed once at publish time, never per request. */
  encoded: Readonly<Record<Encoding, Uint8Array<ArrayBuffer>>>
}

/** What an output is made of: its text, and where and when it is from. */
export type OutputFields = Omit<
  RenderedOutput,
  'body' | 'etag' | 'contentType' | 'lastModified'
> & {
  text: string
  updated: Date
}

/**
 * An output without its bytes: its validators, the ETag that of the text's UTF-8 bytes (a hash of
 * the string is one of them), so that bytes found to be those served need never be made.
 */
export const outputHead = (fields: OutputFields): Omit<RenderedOutput, 'body'> => ({
  urlPath: fields.urlPath,
  feedKey: fields.feedKey,
  format: fields.format,
  contentType: isFeed(fields.format)
    ? FEED_FORMATS[fields.format].contentType
    : PAGE_TYPES[fields.format],
  etag: strongEtag(fields.text),
  lastModified: toWholeSeconds(fields.updated),
})

export const makeOutput = (fields: OutputFields): RenderedOutput => ({
  ...outputHead(fields),
  body: UTF8.encode(fields.text),
})

/**
 * The Last-Modified of a new version of an output: the content's own date, except that it is never
 * later than now (RFC 9110 §8.8.2.1) and, when the bytes changed, never at or before the previous
 * version's (else a reader asking If-Modified-Since would be told nothing changed); then it is now.
 */
export const nextLastModified = (updated: Date, previous: Date | undefined, now: Date): Date => {
  const current = toWholeSeconds(now)
  const candidate = new Date(Math.min(toWholeSeconds(updated).getTime(), current.getTime()))
  if (previous === undefined || candidate > previous) return candidate
  return new Date(Math.max(current.getTime(), previous.getTime()))
}

/** Adds the compressed forms; runs off the event loop (see `compress`). */
export const withEncodings = async (output: RenderedOutput): Promise<PublishedOutput> => ({
  ...output,
  encoded: await compress(output.body),
})

/** The set of outputs being served. Reads are plain map lookups; a build swaps entries in. */
export interface PublishedOutputs {
  get(urlPath: string): PublishedOutput | undefined
  put(output: PublishedOutput): void
  remove(urlPath: string): void
  list(): PublishedOutput[]
}

export const createPublishedOutputs = (): PublishedOutputs => {
  const byPath = new Map<string, PublishedOutput>()
  return {
    get: (urlPath) => byPath.get(urlPath),
    put: (output) => void byPath.set(output.urlPath, output),
    remove: (urlPath) => void byPath.delete(urlPath),
    list: () => [...byPath.values()].sort((a, b) => a.urlPath.localeCompare(b.urlPath)),
  }
}
