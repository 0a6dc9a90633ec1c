// A foreign feed's bytes read as the encoding it declares (lib/declared-encoding.ts), for
// `validate`: what does not hold (JSON not served as UTF-8, an HTTP charset and an XML declaration
// that disagree, bytes the encoding cannot decode) said as problems.
import { TextDecoder } from 'node:util'
import { declaredEncoding } from '../../lib/declared-encoding.js'
import type { Problem } from './digest.js'

const decoderFor = (label: string, fatal: boolean): TextDecoder | undefined => {
  try {
    return new TextDecoder(label, { fatal })
  } catch {
    return undefined
  }
}

export interface DecodedFeed {
  text: string
  /** The format's own requirements broken (rule "encoding"). */
  errors: Problem[]
  warnings: Problem[]
}

/** Decodes a feed document by its declared encoding and says what does not hold. */
export const decodeFeed = (bytes: Uint8Array, httpCharset?: string): DecodedFeed => {
  const errors: Problem[] = []
  const warnings: Problem[] = []
  const { label, isJson, declared } = declaredEncoding(bytes, httpCharset)
  if (isJson && httpCharset && decoderFor(httpCharset, false)?.encoding !== 'utf-8') {
    errors.push({
      rule: 'encoding',
      message: `JSON must be UTF-8, but is served as ${httpCharset}`,
    })
  }
  if (httpCharset && declared && !sameEncoding(httpCharset, declared)) {
    warnings.push({
      rule: 'encoding',
      message: `served as charset=${httpCharset} but declares encoding="${declared}"; readers follow the HTTP charset (RFC 7303 §3.2)`,
    })
  }
  const strict = decoderFor(label, true)
  if (!strict) {
    errors.push({ rule: 'encoding', message: `declares encoding "${label}", which is not known` })
    return { text: new TextDecoder().decode(bytes), errors, warnings }
  }
  try {
    return { text: strict.decode(bytes), errors, warnings }
  } catch {
    const why = declared || httpCharset ? 'as declared' : 'the default'
    errors.push({ rule: 'encoding', message: `the bytes are not valid ${label} (${why})` })
    return { text: decoderFor(label, false)!.decode(bytes), errors, warnings }
  }
}

const sameEncoding = (a: string, b: string): boolean =>
  decoderFor(a, false)?.encoding === decoderFor(b, false)?.encoding
