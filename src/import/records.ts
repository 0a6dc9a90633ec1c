// A feed document cut into its header and its records (<item> or <entry> elements), so that each
// record is parsed on its own and its tree dropped once read: memory stays near the document's
// size instead of a whole-document tree several times larger.
import { parseXml, type XmlNode } from '../lib/xml.js'

export interface Records {
  /** The document with every record cut out: the channel's or feed's own elements. */
  header: XmlNode
  /** Each record's text, in order (slices of the document: no copies). */
  records: string[]
}

// Where markup that may contain "<item" as text starts, and where it ends.
const SKIPPED: ReadonlyArray<[string, string]> = [
  ['<![CDATA[', ']]>'],
  ['<!--', '-->'],
  ['<?', '?>'],
]

/**
 * Finds every `<name …>…</name>` (or `<name/>`) outside CDATA sections, comments and processing
 * instructions. Records do not nest in any feed format, so the first end tag closes a record.
 */
const findRecords = (xml: string, name: string): Array<[number, number]> => {
  const found: Array<[number, number]> = []
  const open = new RegExp(`<${name}(?=[\\s>/])`, 'y')
  const close = `</${name}>`
  let at = xml.indexOf('<')
  while (at !== -1 && at < xml.length) {
    const skipped = SKIPPED.find(([start]) => xml.startsWith(start, at))
    if (skipped) {
      const end = xml.indexOf(skipped[1], at + skipped[0].length)
      if (end === -1) break
      at = xml.indexOf('<', end + skipped[1].length)
      continue
    }
    open.lastIndex = at
    if (open.test(xml)) {
      const tagEnd = xml.indexOf('>', at)
      if (tagEnd === -1) break
      if (xml[tagEnd - 1] === '/') {
        found.push([at, tagEnd + 1])
        at = xml.indexOf('<', tagEnd + 1)
        continue
      }
      let search = tagEnd + 1
      let end = -1
      // The end tag, skipping CDATA and comments inside the record.
      for (;;) {
        const next = xml.indexOf('<', search)
        if (next === -1) break
        const inner = SKIPPED.find(([start]) => xml.startsWith(start, next))
        if (inner) {
          const innerEnd = xml.indexOf(inner[1], next + inner[0].length)
          if (innerEnd === -1) break
          search = innerEnd + inner[1].length
          continue
        }
        if (xml.startsWith(close, next)) {
          end = next + close.length
          break
        }
        search = next + 1
      }
      if (end === -1) break
      found.push([at, end])
      at = xml.indexOf('<', end)
      continue
    }
    at = xml.indexOf('<', at + 1)
  }
  return found
}

/**
 * Validates the whole document (well-formed, no entity declarations), then parses its header;
 * records are left as text for the caller to parse one at a time.
 */
export const splitRecords = (
  xml: string,
  name: string,
  arrays: readonly string[],
): Records | { error: string } => {
  // The whole document is checked once; then the header alone is parsed.
  const whole = parseXml(xml, arrays, [], { validateOnly: true })
  if ('error' in whole) return whole
  const spans = findRecords(xml, name)
  const parts: string[] = []
  let last = 0
  for (const [start, end] of spans) {
    parts.push(xml.slice(last, start))
    last = end
  }
  parts.push(xml.slice(last))
  const header = parseXml(parts.join(''), arrays, [], { trusted: true })
  if ('error' in header) return header
  return { header: header.doc, records: spans.map(([start, end]) => xml.slice(start, end)) }
}

/** Parses one record found by splitRecords (already validated with its document). */
export const parseRecord = (
  record: string,
  arrays: readonly string[],
  stopNodes: readonly string[] = [],
): XmlNode => {
  const parsed = parseXml(record, arrays, stopNodes, { trusted: true })
  if ('error' in parsed) throw new Error(parsed.error)
  return parsed.doc
}
