// One strict pass over an XML document (saxes, XML 1.0 well-formedness) that builds the tree
// lib/xml.ts reads, and notes on the way what tree walks would otherwise look for again.
import { SaxesParser, type SaxesTagPlain } from 'saxes'
import type { XmlNode } from './xml.js'

export interface StrictXml {
  doc: XmlNode
  /** Namespace prefixes used in element or attribute names (`xml:` aside), and those declared. */
  prefixesUsed: string[]
  prefixesDeclared: string[]
  /** The root element's children in document order, as written: the tree groups them by name. */
  rootChildren: string[]
  /** Whether the document holds characters XML 1.0 §2.2 excludes (CONTROL_CHARACTER). */
  controlCharacters: boolean
}

// XML 1.0 §2.2: the C0 controls besides tab, LF and CR, and U+FFFE/U+FFFF. saxes says
// "disallowed character." for these, and for other characters out of place (`<` in an attribute
// value, say); the check's control-characters rule reports these by name, so only they do not stop
// the reading: they are noted (`controlCharacters`) wherever they are, text, attribute or prolog.
const CONTROL_CHARACTER = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/

/** Thrown from saxes' error handler: the first error ends the reading. */
class NotWellFormed extends Error {
  constructor(line: number, column: number, reason: string) {
    super(`not well-formed XML at line ${line}, column ${column}: ${reason}`)
  }
}

/** An element being read: its node, whether the node has keys yet, and its text so far. */
interface Open {
  name: string
  node: XmlNode
  keyed: boolean
  text: string
}

/** Builds the tree from saxes' events: children by name, attributes as `@name`, text as `#text`. */
class TreeBuilder {
  readonly doc: XmlNode = {}
  readonly used = new Set<string>()
  readonly declared = new Set<string>()
  readonly rootChildren: string[] = []
  readonly stack: Open[] = [{ name: '', node: this.doc, keyed: true, text: '' }]
  /** The last element closed: saxes closes an element before it says its end tag was wrong. */
  lastClosed = ''

  constructor(private readonly arrays: ReadonlySet<string>) {}

  open(tag: SaxesTagPlain): void {
    const node: XmlNode = {}
    let keyed = false
    notePrefix(tag.name, this.used)
    for (const name in tag.attributes) {
      node[`@${name}`] = tag.attributes[name]
      keyed = true
      if (name.startsWith('xmlns:')) this.declared.add(name.slice(6))
      else notePrefix(name, this.used)
    }
    if (this.stack.length === 2) this.rootChildren.push(tag.name)
    this.stack.push({ name: tag.name, node, keyed, text: '' })
  }

  text(text: string): void {
    this.stack[this.stack.length - 1]!.text += text
  }

  /**
   * Adds the closed element to its parent as fast-xml-parser does: its text alone if it has no
   * attributes or children, and a list for `arrays` names or repeated ones.
   */
  close(): void {
    const open = this.stack.pop()!
    this.lastClosed = open.name
    const parent = this.stack[this.stack.length - 1]!
    const text = open.text.trim()
    if (open.keyed && text !== '') open.node['#text'] = text
    const value = open.keyed ? open.node : text
    const present = parent.node[open.name]
    parent.keyed = true
    if (present === undefined) parent.node[open.name] = this.arrays.has(open.name) ? [value] : value
    else if (Array.isArray(present)) present.push(value)
    else parent.node[open.name] = [present, value]
  }
}

/** Reads `xml` whole; the first well-formedness error ends the reading, with its line. */
export const readStrictXml = (
  xml: string,
  arrays: ReadonlySet<string>,
): StrictXml | { error: string } => {
  const parser = new SaxesParser({ xmlns: false })
  const tree = new TreeBuilder(arrays)
  let controlCharacters = false
  parser.on('error', (cause) => {
    const reason = cause.message.replace(/^\d+:\d+: /, '')
    const at = xml.charAt(parser.position - 1)
    if (reason === 'disallowed character.' && CONTROL_CHARACTER.test(at)) {
      controlCharacters = true
      return
    }
    // saxes does not say which element the stray end tag should have closed.
    const why =
      reason === 'unexpected close tag.' ? `${reason} <${tree.lastClosed}> was open` : reason
    throw new NotWellFormed(parser.line, parser.column, why)
  })
  parser.on('opentag', (tag) => tree.open(tag))
  parser.on('text', (text) => tree.text(text))
  parser.on('cdata', (text) => tree.text(text))
  parser.on('closetag', () => tree.close())
  try {
    parser.write(xml).close()
  } catch (cause) {
    if (cause instanceof NotWellFormed) return { error: cause.message }
    throw cause
  }
  const { doc, used, declared, rootChildren } = tree
  return {
    doc,
    prefixesUsed: [...used],
    prefixesDeclared: [...declared],
    rootChildren,
    controlCharacters,
  }
}

const notePrefix = (name: string, used: Set<string>): void => {
  const colon = name.indexOf(':')
  if (colon > 0 && !name.startsWith('xml:')) used.add(name.slice(0, colon))
}
