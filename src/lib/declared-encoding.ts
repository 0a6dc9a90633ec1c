// The encoding a feed document's bytes declare, and where: XML 1.0 §4.3.3 and Appendix F (a byte
// order mark, or the XML declaration; UTF-8 by default), RFC 7303 §3.2 (an HTTP charset wins over
// the declaration), RFC 8259 §8.1 (JSON is UTF-8). The one rule `validate` and `import` decode by.
import { TextDecoder } from 'node:util'

const XML_ENCODING = /^<\?xml\s[^>]*?encoding\s*=\s*["']([A-Za-z][\w.:-]*)["']/

const bomEncoding = (bytes: Uint8Array): string | undefined =>
  bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf
    ? 'utf-8'
    : bytes[0] === 0xfe && bytes[1] === 0xff
      ? 'utf-16be'
      : bytes[0] === 0xff && bytes[1] === 0xfe
        ? 'utf-16le'
        : undefined

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
