// Bytes of a foreign feed decoded for import by the encoding it declares (the same rule `validate`
// applies, lib/declared-encoding.ts), whole or as a stream of texts; a byte the encoding cannot
// decode stops the import, naming the item, never a silent U+FFFD.
import { TextDecoder } from 'node:util'
import { type DeclaredEncoding, declaredEncoding } from '../lib/declared-encoding.js'
import { ValidationError } from '../lib/errors.js'
import { allBytes, type FeedSource } from './source.js'

export interface Decoded {
  text: string
  /** The WHATWG name of the encoding used, e.g. "windows-1251". */
  encoding: string
  /** Where that encoding was declared. */
  declaredBy: DeclaredEncoding['declaredBy']
}

const refuse = (message: string, path = '(document)'): never => {
  throw new ValidationError(`import/decode: ${message}`, [{ path, message }])
}

const decoderFor = (label: string, where: string): TextDecoder => {
  try {
    return new TextDecoder(label, { fatal: true, ignoreBOM: false })
  } catch {
    return refuse(`the ${where} declares the encoding "${label}", which cannot be decoded here`)
  }
}

/** The item (by position and title) holding a character offset of the document. */
const itemAt = (text: string, offset: number): string => {
  const before = text.slice(0, offset)
  const starts = [...before.matchAll(/<(?:item|entry)[\s>]|"id"\s*:/g)]
  if (starts.length === 0) return 'the feed header'
  const start = starts.at(-1)!.index
  const title = /<title[^>]*>([^<]{0,80})/.exec(text.slice(start, offset + 2000))?.[1]?.trim()
  return `item ${starts.length}${title ? ` ("${title}")` : ''}`
}

/** The offset of the first byte that does not decode (binary search on valid prefixes). */
const firstBadByte = (bytes: Uint8Array, label: string): number => {
  // A prefix decodes (as a stream: a cut-off last character is fine) exactly when it ends before
  // the first bad byte.
  const decodes = (end: number): boolean => {
    try {
      new TextDecoder(label, { fatal: true }).decode(bytes.subarray(0, end), { stream: true })
      return true
    } catch {
      return false
    }
  }
  let low = 0
  let high = bytes.length
  while (low < high) {
    const mid = Math.ceil((low + high) / 2)
    if (decodes(mid)) low = mid
    else high = mid - 1
  }
  return low
}

const WHERE: Readonly<Record<DeclaredEncoding['declaredBy'], string>> = {
  bom: 'byte order mark',
  http: 'HTTP charset',
  xml: 'XML declaration',
  default: '',
}

/** Decodes a feed's bytes; `httpCharset` is the charset parameter of the response's Content-Type. */
export const decodeFeed = (bytes: Uint8Array, httpCharset?: string): Decoded => {
  const { label, declaredBy } = declaredEncoding(bytes, httpCharset)
  const decoder = decoderFor(label, WHERE[declaredBy] || 'document')
  try {
    return { text: decoder.decode(bytes), encoding: decoder.encoding, declaredBy }
  } catch {
    const at = firstBadByte(bytes, decoder.encoding)
    const lossy = new TextDecoder(decoder.encoding).decode(bytes.subarray(0, at))
    const whose = itemAt(new TextDecoder(decoder.encoding).decode(bytes), lossy.length)
    return refuse(
      `bytes near offset ${at} are not valid ${decoder.encoding} (declared by the ` +
        `${WHERE[declaredBy] || 'default, no declaration'}), in ${whose}`,
      whose,
    )
  }
}

/** A source's text as a stream, with the encoding it was decoded by. */
export interface DecodedStream extends Omit<Decoded, 'text'> {
  /** The text in pieces, decoded afresh from the source on each call. */
  texts: () => Generator<string>
  isJson: boolean
}

/**
 * Decodes a source chunk by chunk, by the encoding its first bytes (or its HTTP charset) declare.
 * A byte that does not decode is reported as decodeFeed reports it, from the whole document: the
 * item it falls in is found only there, and only on that error path.
 */
export const decodeSource = (source: FeedSource): DecodedStream => {
  // declaredEncoding looks at the first 512 bytes.
  const firsts: Uint8Array[] = []
  let length = 0
  for (const chunk of source.chunks()) {
    firsts.push(Uint8Array.from(chunk))
    length += chunk.length
    if (length >= 512) break
  }
  const head = Buffer.concat(firsts)
  const { label, declaredBy, isJson } = declaredEncoding(head, source.httpCharset)
  const { encoding } = decoderFor(label, WHERE[declaredBy] || 'document')
  function* texts(): Generator<string> {
    const decoder = new TextDecoder(encoding, { fatal: true, ignoreBOM: false })
    try {
      for (const chunk of source.chunks()) yield decoder.decode(chunk, { stream: true })
      yield decoder.decode()
    } catch (error) {
      if (!(error instanceof TypeError)) throw error
      decodeFeed(allBytes(source), source.httpCharset)
      throw error
    }
  }
  return { encoding, declaredBy, isJson, texts }
}
