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
}

// saxes says "disallowed character." for XML 1.0 §2.2 characters out of range: the check's
// control-characters rule reports those by name, so they do not stop the reading here.
const DISALLOWED_CHARACTER = 'disallowed character.'

/** Thrown from saxes' error handler: the first error ends the reading. */
class NotWellFormed extends Error {
  constructor(line: number, reason: string) {
    super(`not well-formed XML at line ${line}: ${reason}`)
  }
}

interface Open {
  name: string
  node: XmlNode
  text: string
}

/** Adds a finished child the way fast-xml-parser does: a list for `arrays` names or repeats. */
const attach = (parent: XmlNode, name: string, value: unknown, arrays: ReadonlySet<string>) => {
  const present = parent[name]
  if (present === undefined) parent[name] = arrays.has(name) ? [value] : value
  else if (Array.isArray(present)) present.push(value)
  else parent[name] = [present, value]
}

/** The value fast-xml-parser gives a closed element: its trimmed text alone, or the node. */
const valueOf = (open: Open, hasKeys: boolean): unknown => {
  const text = open.text.trim()
  if (!hasKeys) return text
  if (text !== '') open.node['#text'] = text
  return open.node
}

/** Reads `xml` whole; the first well-formedness error ends the reading, with its line. */
export const readStrictXml = (
  xml: string,
  arrays: ReadonlySet<string>,
): StrictXml | { error: string } => {
  const parser = new SaxesParser({ xmlns: false })
  const used = new Set<string>()
  const declared = new Set<string>()
  const rootChildren: string[] = []
  const doc: XmlNode = {}
  const stack: Open[] = [{ name: '', node: doc, text: '' }]
  parser.on('error', (cause) => {
    const message = cause.message.replace(/^\d+:\d+: /, '')
    if (message !== DISALLOWED_CHARACTER) throw new NotWellFormed(parser.line, message)
  })
  parser.on('opentag', (tag: SaxesTagPlain) => {
    const node: XmlNode = {}
    notePrefix(tag.name, used)
    for (const name in tag.attributes) {
      node[`@${name}`] = tag.attributes[name]
      if (name.startsWith('xmlns:')) declared.add(name.slice(6))
      else notePrefix(name, used)
    }
    if (stack.length === 2) rootChildren.push(tag.name)
    stack.push({ name: tag.name, node, text: '' })
  })
  const addText = (text: string) => {
    stack[stack.length - 1]!.text += text
  }
  parser.on('text', addText)
  parser.on('cdata', addText)
  parser.on('closetag', () => {
    const open = stack.pop()!
    let hasKeys = false
    for (const _ in open.node) {
      hasKeys = true
      break
    }
    attach(stack[stack.length - 1]!.node, open.name, valueOf(open, hasKeys), arrays)
  })
  try {
    parser.write(xml).close()
  } catch (cause) {
    if (cause instanceof NotWellFormed) return { error: cause.message }
    throw cause
  }
  return {
    doc,
    prefixesUsed: [...used],
    prefixesDeclared: [...declared],
    rootChildren,
  }
}

const notePrefix = (name: string, used: Set<string>): void => {
  const colon = name.indexOf(':')
  if (colon > 0 && !name.startsWith('xml:')) used.add(name.slice(0, colon))
}
