// Parsing feed XML with fast-xml-parser into the object tree lib/xml-tree.ts reads.
import { XMLParser, XMLValidator } from 'fast-xml-parser'
import { DTD_REFUSED, hasInternalSubset, node, type XmlNode } from './xml-tree.js'

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
