// One strict pass over an XML document (xml-scanner.ts, XML 1.0 well-formedness) that builds the
// tree lib/xml.ts reads, and notes on the way what tree walks would otherwise look for again.
import { type ScanHandler, scanXml, XmlSyntaxError } from './xml-scanner.js'
import type { XmlNode } from '../../lib/xml-tree.js'

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

// XML 1.0 §2.2: the C0 controls besides tab, LF and CR, and U+FFFE/U+FFFF. The check's
// control-characters rule reports them by name, so they do not stop the reading: they are noted.
const CONTROL_CHARACTER = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/

/** The error as the check says it: where, by line and column, and what. */
const syntaxError = (xml: string, error: XmlSyntaxError): string => {
  const before = xml.slice(0, error.position)
  const line = before.split('\n').length
  const column = error.position - before.lastIndexOf('\n')
  return `not well-formed XML at line ${line}, column ${column}: ${error.message}`
}

/** An element being read: its node, whether the node has keys yet, and its text so far. */
interface Open {
  name: string
  node: XmlNode
  keyed: boolean
  text: string
}

/** Builds the tree from the scanner's calls: children by name, attributes as `@name`, text as `#text`. */
class TreeBuilder implements ScanHandler {
  readonly doc: XmlNode = {}
  readonly used = new Set<string>()
  readonly declared = new Set<string>()
  readonly rootChildren: string[] = []
  readonly stack: Open[] = [{ name: '', node: this.doc, keyed: true, text: '' }]

  constructor(private readonly arrays: ReadonlySet<string>) {}

  open(element: string, attributes: Record<string, string>): void {
    const node: XmlNode = {}
    let keyed = false
    notePrefix(element, this.used)
    for (const name in attributes) {
      node[`@${name}`] = attributes[name]
      keyed = true
      if (name.startsWith('xmlns:')) this.declared.add(name.slice(6))
      else notePrefix(name, this.used)
    }
    if (this.stack.length === 2) this.rootChildren.push(element)
    this.stack.push({ name: element, node, keyed, text: '' })
  }

  text(text: string): void {
    const open = this.stack[this.stack.length - 1]!
    // Most elements hold one piece of text: kept as the slice it is, not joined (then copied).
    open.text = open.text === '' ? text : open.text + text
  }

  /**
   * Adds the closed element to its parent as fast-xml-parser does: its text alone if it has no
   * attributes or children, and a list for `arrays` names or repeated ones.
   */
  close(): void {
    const open = this.stack.pop()!
    const parent = this.stack[this.stack.length - 1]!
    const text = open.text.trim()
    if (open.keyed && text !== '') open.node['#text'] = text
    const value = open.keyed ? open.node : text
    const present = Object.hasOwn(parent.node, open.name) ? parent.node[open.name] : undefined
    parent.keyed = true
    if (Array.isArray(present)) present.push(value)
    else {
      const listed =
        present === undefined ? (this.arrays.has(open.name) ? [value] : value) : [present, value]
      setChild(parent.node, open.name, listed)
    }
  }
}

/** Reads `xml` whole; the first well-formedness error ends the reading, with its line. */
export const readStrictXml = (
  xml: string,
  arrays: ReadonlySet<string>,
): StrictXml | { error: string } => {
  const tree = new TreeBuilder(arrays)
  try {
    scanXml(xml, tree)
  } catch (cause) {
    if (cause instanceof XmlSyntaxError) return { error: syntaxError(xml, cause) }
    throw cause
  }
  const { doc, used, declared, rootChildren } = tree
  return {
    doc,
    prefixesUsed: [...used],
    prefixesDeclared: [...declared],
    rootChildren,
    controlCharacters: CONTROL_CHARACTER.test(xml),
  }
}

/** node[name] = value, where an element named __proto__ is a child like any other. */
const setChild = (node: XmlNode, name: string, value: unknown): void => {
  if (name !== '__proto__') node[name] = value
  else Object.defineProperty(node, name, { value, enumerable: true, writable: true })
}

const notePrefix = (name: string, used: Set<string>): void => {
  const colon = name.indexOf(':')
  if (colon > 0 && !name.startsWith('xml:')) used.add(name.slice(0, colon))
}
