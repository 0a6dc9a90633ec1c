// A foreign feed's bytes read as the encoding it declares: XML 1.0 §4.3.3 and Appendix F (the XML
// declaration, or a byte order mark; UTF-8 by default), RFC 7303 §3.2 (an HTTP charset wins), and
// RFC 8259 §8.1 (JSON is UTF-8).
import { TextDecoder } from 'node:util'
import type { Problem } from './digest.js'

const XML_ENCODING = /^<\?xml\s[^>]*?encoding\s*=\s*["']([A-Za-z][\w.:-]*)["']/

const bomEncoding = (bytes: Uint8Array): string | undefined =>
  bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf
    ? 'utf-8'
    : bytes[0] === 0xfe && bytes[1] === 0xff
      ? 'utf-16be'
      : bytes[0] === 0xff && bytes[1] === 0xfe
        ? 'utf-16le'
        : undefined

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

/** The encoding a document's bytes declare, and where: what `validate` and `import` decode with. */
export interface DeclaredEncoding {
  label: string
  declaredBy: 'bom' | 'http' | 'xml' | 'default'
  isJson: boolean
  /** The XML declaration's encoding, whether or not it is the one that applies. */
  declared?: string
}

/** BOM, then HTTP charset, then XML declaration, else UTF-8; JSON is always UTF-8. */
export const declaredEncoding = (bytes: Uint8Array, httpCharset?: string): DeclaredEncoding => {
  const head = new TextDecoder('latin1').decode(bytes.subarray(0, 512)).replace(/^\uFEFF|^ï»¿/, '')
  const isJson = head.trimStart().startsWith('{')
  const declared = isJson ? undefined : XML_ENCODING.exec(head)?.[1]
  const bom = bomEncoding(bytes)
  const [label, declaredBy]: [string, DeclaredEncoding['declaredBy']] = isJson
    ? ['utf-8', 'default']
    : bom
      ? [bom, 'bom']
      : httpCharset
        ? [httpCharset, 'http']
        : declared
          ? [declared, 'xml']
          : ['utf-8', 'default']
  return { label, declaredBy, isJson, ...(declared && { declared }) }
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
