// Compressed forms of a published output, made once per build, and the choice among them per request.
import { promisify } from 'node:util'
import {
  brotliCompress,
  brotliCompressSync,
  type BrotliOptions,
  constants,
  gzip,
  gzipSync,
  type ZlibOptions,
} from 'node:zlib'

export type Encoding = 'br' | 'gzip'
export type Coding = Encoding | 'identity'

/** The compressed forms of one body. */
export type Encoded = Record<Encoding, Uint8Array<ArrayBuffer>>

const brotli = promisify(brotliCompress)
const gzipAsync = promisify(gzip)

/**
 * Measured on the fixture feeds (16 KB): brotli quality 5 gives 3.29 KB in 0.5 ms, 9 the same size
 * in 9 ms, 11 gives 2.72 KB in 22 ms; 5 keeps builds of thousands of feeds short for a 17 % larger
 * body. Both functions below use these options, so either gives the same bytes.
 */
const brotliOptions = (body: Uint8Array): BrotliOptions => ({
  params: {
    [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
    [constants.BROTLI_PARAM_QUALITY]: 5,
    [constants.BROTLI_PARAM_SIZE_HINT]: body.byteLength,
  },
})
/**
 * zlib's default level: level 9 took 6–30 % more time for bodies 0.1–3.5 % smaller (an archive
 * part of 200 KB, this project's docs), and a first archive build at 1M articles compresses
 * thousands of documents.
 */
const GZIP_OPTIONS: ZlibOptions = { level: 6 }

// Copied into buffers of their own: zlib's results may share a pooled ArrayBuffer, which could
// not be transferred to another thread without taking other buffers with it.
const own = (bytes: Uint8Array): Uint8Array<ArrayBuffer> => new Uint8Array(bytes)

/**
 * On libuv's thread pool, so compressing never blocks the thread that asks: the serving thread
 * uses this when documents are produced in-process (BUILD_THREADS=0).
 */
export const compress = async (body: Uint8Array): Promise<Encoded> => {
  const [br, gz] = await Promise.all([
    brotli(body, brotliOptions(body)),
    gzipAsync(body, GZIP_OPTIONS),
  ])
  return { br: own(br), gzip: own(gz) }
}

/**
 * The same bytes as `compress`, on the calling thread: a build thread compresses what it produced
 * itself, so that compression takes its core rather than libuv's pool beside the serving thread.
 */
export const compressSync = (body: Uint8Array): Encoded => ({
  br: own(brotliCompressSync(body, brotliOptions(body))),
  gzip: own(gzipSync(body, GZIP_OPTIONS)),
})

/** A distinct strong ETag per encoding (RFC 9110 §8.8.3: each representation has its own). */
export const encodedEtag = (etag: string, coding: Coding): string =>
  coding === 'identity' ? etag : `${etag.slice(0, -1)}-${coding}"`

// Among equally acceptable codings, the smallest wins.
const PREFERENCE: readonly Coding[] = ['br', 'gzip', 'identity']

const negotiate = (header: string): Coding => {
  if (header.trim() === '') return 'identity'
  const weights = new Map<string, number>()
  for (const part of header.split(',')) {
    const [name = '', ...params] = part.trim().toLowerCase().split(';')
    const q = params.map((p) => /^\s*q=([01](?:\.\d{0,3})?)\s*$/.exec(p)?.[1]).find(Boolean)
    weights.set(name.trim() === 'x-gzip' ? 'gzip' : name.trim(), q === undefined ? 1 : Number(q))
  }
  const star = weights.get('*')
  // Unlisted identity is acceptable but least preferred: "gzip;q=0.5" still means "gzip, please".
  const weight = (coding: Coding): number =>
    weights.get(coding) ?? (coding === 'identity' ? (star ?? 0.001) : (star ?? 0))
  const best = PREFERENCE.reduce((a, b) => (weight(b) > weight(a) ? b : a))
  // Nothing acceptable: identity is still the most useful answer (RFC 9110 §12.5.3 allows it).
  return weight(best) > 0 ? best : 'identity'
}

// The choice per Accept-Encoding value, made once per value rather than per request.
const negotiated = new Map<string, Coding>()
const NEGOTIATED_MAX = 256

/**
 * The coding to send for an Accept-Encoding header (RFC 9110 §12.5.3): the highest q-value wins,
 * ties go to the smaller encoding; identity is acceptable unless refused by name or by `*;q=0`.
 */
export const negotiateEncoding = (header: string | undefined): Coding => {
  if (header === undefined) return 'identity'
  let coding = negotiated.get(header)
  if (coding === undefined) {
    // Clients send a handful of distinct headers; a client sending endless new ones gets no
    // more than this much memory.
    if (negotiated.size >= NEGOTIATED_MAX) negotiated.clear()
    coding = negotiate(header)
    negotiated.set(header, coding)
  }
  return coding
}
