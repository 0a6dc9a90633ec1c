// A feed document cut into its envelope and its records (<item> or <entry> elements) as its text
// streams by, so that at most a chunk and a record are held at once: each record is checked and
// parsed on its own, the envelope (the channel's or feed's own elements) apart.
import { XMLValidator } from 'fast-xml-parser'
import { parseXml } from '../lib/xml.js'
import { hasInternalSubset, type XmlNode } from '../lib/xml-tree.js'

/** A record's text, or a run of the text around the records. */
export type Piece = { record: string } | { envelope: string }

// Where markup that may contain "<item" as text starts, and where it ends.
const SKIPPED: ReadonlyArray<[string, string]> = [
  ['<![CDATA[', ']]>'],
  ['<!--', '-->'],
  ['<?', '?>'],
]
// The longest start above: a "<" closer than this to the end of the text may begin one.
const LOOKAHEAD = 9

/** Where the construct at `at` ends (after its end marker), -1 if the text stops before it does. */
const skippedEnd = (text: string, at: number): number | undefined => {
  // Most "<" start a tag: a look at the next character spares the comparisons.
  const next = text.charCodeAt(at + 1)
  if (next !== 0x21 && next !== 0x3f) return undefined
  const skipped = SKIPPED.find(([start]) => text.startsWith(start, at))
  if (!skipped) return undefined
  const end = text.indexOf(skipped[1], at + skipped[0].length)
  return end === -1 ? -1 : end + skipped[1].length
}

/** Whether a start (or empty) tag named `name` begins at `at`. */
const opensRecord = (text: string, at: number, name: string): boolean => {
  if (!text.startsWith(name, at + 1)) return false
  const after = text[at + 1 + name.length]
  return (
    after === '>' ||
    after === '/' ||
    after === ' ' ||
    after === '\t' ||
    after === '\n' ||
    after === '\r'
  )
}

/**
 * Where the record whose start tag begins at `at` ends, or -1 if the text stops first. Records do
 * not nest in any feed format, so the first end tag outside CDATA and comments closes the record.
 */
const recordEnd = (text: string, at: number, close: string): number => {
  const tagEnd = text.indexOf('>', at)
  if (tagEnd === -1) return -1
  if (text[tagEnd - 1] === '/') return tagEnd + 1
  for (let next = text.indexOf('<', tagEnd + 1); next !== -1; next = text.indexOf('<', next + 1)) {
    const inner = skippedEnd(text, next)
    if (inner === -1) return -1
    if (inner !== undefined) next = inner - 1
    else if (text.startsWith(close, next)) return next + close.length
  }
  return -1
}

/**
 * The pieces of `text` up to the first construct it does not finish, and where that starts (the
 * text's length if none). Unless `final`, a "<" too near the end to say what it starts waits too.
 */
function* piecesOf(text: string, name: string, final: boolean): Generator<Piece, number> {
  const close = `</${name}>`
  let done = 0
  for (let at = text.indexOf('<'); at !== -1; at = text.indexOf('<', at + 1)) {
    const near = !final && text.length - at < LOOKAHEAD + name.length
    const skipped = near ? -1 : skippedEnd(text, at)
    const end =
      skipped === undefined && opensRecord(text, at, name) ? recordEnd(text, at, close) : skipped
    if (end === -1) {
      if (at > done) yield { envelope: text.slice(done, at) }
      return at
    }
    if (end === undefined) continue
    if (skipped === undefined) {
      if (at > done) yield { envelope: text.slice(done, at) }
      yield { record: text.slice(at, end) }
      done = end
    }
    at = end - 1
  }
  if (text.length > done) yield { envelope: text.slice(done) }
  return text.length
}

/**
 * Cuts a document given as a stream of texts into envelope runs and records, in document order,
 * outside CDATA sections, comments and processing instructions. A record cut by a chunk boundary
 * waits for the next chunk; what is left unfinished at the end is envelope (the check refuses it).
 */
export function* cutRecords(texts: Iterable<string>, name: string): Generator<Piece> {
  let rest = ''
  for (const text of texts) {
    const joined = rest + text
    rest = joined.slice(yield* piecesOf(joined, name, false))
  }
  const end = yield* piecesOf(rest, name, true)
  if (end < rest.length) yield { envelope: rest.slice(end) }
}

const newlines = (text: string): number => {
  let count = 0
  for (let at = text.indexOf('\n'); at !== -1; at = text.indexOf('\n', at + 1)) count += 1
  return count
}

/** The validator's message with its lines counted from the document's first, not the record's. */
const notWellFormed = (err: { line: number; msg: string }, before: number): string =>
  `not well-formed XML at line ${err.line + before}: ${err.msg.replace(
    /\bline (\d+)/g,
    (_, n: string) => `line ${Number(n) + before}`,
  )}`

/** What the first reading of a document keeps: its envelope parsed, and how many records it has. */
export interface Checked {
  /** The document with every record cut out: the channel's or feed's own elements. */
  header: XmlNode
  size: number
}

/**
 * The first of an import's two readings, so that a document is refused before anything is written:
 * no entity declarations, every record and the envelope well-formed (the document then is: each
 * record is a whole element cut from element content), and the envelope parsed. Of the records
 * only their count is kept. Records keep their lines in the envelope, so errors name the document's.
 */
export const checkDocument = (
  texts: Iterable<string>,
  name: string,
  arrays: readonly string[],
): Checked | { error: string } => {
  const envelope: string[] = []
  let line = 1
  let size = 0
  for (const piece of cutRecords(texts, name)) {
    if ('envelope' in piece) {
      envelope.push(piece.envelope)
      line += newlines(piece.envelope)
      continue
    }
    // The prolog has been read: a DTD is refused first, as when the document was checked whole
    // (parseXml's own check gives the message).
    if (size === 0 && hasInternalSubset(envelope.join(''))) {
      const refused = parseXml(envelope.join(''), arrays)
      if ('error' in refused) return refused
    }
    const valid = XMLValidator.validate(piece.record)
    if (valid !== true) return { error: notWellFormed(valid.err, line - 1) }
    const lines = newlines(piece.record)
    envelope.push('\n'.repeat(lines))
    line += lines
    size += 1
  }
  const header = parseXml(envelope.join(''), arrays)
  return 'error' in header ? header : { header: header.doc, size }
}

/** The second reading: each record's text in order, the envelope skipped. */
export function* recordsOf(texts: Iterable<string>, name: string): Generator<string> {
  for (const piece of cutRecords(texts, name)) if ('record' in piece) yield piece.record
}

/** Parses one record found by recordsOf (already checked with its document). */
export const parseRecord = (
  record: string,
  arrays: readonly string[],
  stopNodes: readonly string[] = [],
): XmlNode => {
  const parsed = parseXml(record, arrays, stopNodes, { trusted: true })
  if ('error' in parsed) throw new Error(parsed.error)
  return parsed.doc
}
