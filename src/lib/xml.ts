// Parsing feed XML with fast-xml-parser, and reading the object tree it gives.
import { XMLParser, XMLValidator } from 'fast-xml-parser'

/** An element as fast-xml-parser gives it: children by name, attributes as `@name`, text as `#text`. */
export type XmlNode = Record<string, unknown>

const parsers = new Map<string, XMLParser>()

const parserFor = (arrays: readonly string[], stopNodes: readonly string[]): XMLParser => {
  const key = `${arrays.join(' ')}|${stopNodes.join(' ')}`
  let parser = parsers.get(key)
  if (!parser) {
    const always = new Set(arrays)
    parser = new XMLParser({
      ignoreAttributes: false,
      attributeNamePrefix: '@',
      parseTagValue: false,
      parseAttributeValue: false,
      trimValues: true,
      // The five predefined entities and character references only: documents that declare
      // entities are refused before parsing (no expansion, no "billion laughs").
      processEntities: true,
      htmlEntities: false,
      isArray: (name) => always.has(name),
      // Elements kept as their raw inner XML (Atom xhtml content).
      stopNodes: [...stopNodes],
    })
    parsers.set(key, parser)
  }
  return parser
}

// What may come before the DOCTYPE (XML 1.0 §2.8 prolog): the declaration, comments, PIs, space.
const PROLOG_ITEM = /^\s*(?:<\?[\s\S]*?\?>|<!--[\s\S]*?-->)/

export const DTD_REFUSED =
  'the document declares XML entities (a DTD internal subset), which are not read here'

/**
 * Whether the prolog has `<!DOCTYPE … [ … ]>`: the only place XML can declare entities (§2.8).
 * `<!ENTITY` anywhere else (say inside CDATA, as HTML in content:encoded) is text, not a DTD.
 */
export const hasInternalSubset = (xml: string): boolean => {
  let rest = xml.replace(/^\uFEFF/, '')
  for (let item = PROLOG_ITEM.exec(rest); item; item = PROLOG_ITEM.exec(rest)) {
    rest = rest.slice(item[0].length)
  }
  const doctype = /^\s*<!DOCTYPE\b[^>[]*(\[)?/i.exec(rest)
  return doctype?.[1] !== undefined
}

/**
 * Validates and parses a document; `arrays` names the elements that are always lists (items,
 * links, …) so a feed with one item reads like a feed with many.
 */
export const parseXml = (
  xml: string,
  arrays: readonly string[],
  stopNodes: readonly string[] = [],
  /** `trusted`: a part of a document already checked whole (import's first reading). */
  mode: { trusted?: boolean } = {},
): { doc: XmlNode } | { error: string } => {
  if (!mode.trusted) {
    if (hasInternalSubset(xml)) return { error: DTD_REFUSED }
    const valid = XMLValidator.validate(xml)
    if (valid !== true)
      return { error: `not well-formed XML at line ${valid.err.line}: ${valid.err.msg}` }
  }
  try {
    return { doc: node(parserFor(arrays, stopNodes).parse(xml)) }
  } catch (cause) {
    return {
      error: `the XML parser refused it: ${cause instanceof Error ? cause.message : String(cause)}`,
    }
  }
}

export const node = (value: unknown): XmlNode =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as XmlNode) : {}
export const list = (value: unknown): unknown[] =>
  Array.isArray(value) ? value : value === undefined ? [] : [value]
export const nodes = (value: unknown): XmlNode[] => list(value).map(node)

/** Text of an element, parsed as a string or as a node with attributes; undefined when empty. */
export const text = (value: unknown): string | undefined => {
  if (Array.isArray(value)) return text(value[0])
  const inner = typeof value === 'string' ? value : node(value)['#text']
  return typeof inner === 'string' && inner.trim() !== '' ? inner.trim() : undefined
}

/** Texts of a repeated element, e.g. every <category>. */
export const texts = (value: unknown): string[] =>
  list(value)
    .map(text)
    .filter((t): t is string => t !== undefined)

export const attr = (element: XmlNode, name: string): string | undefined => {
  const value = element[`@${name}`]
  return typeof value === 'string' ? value : undefined
}
