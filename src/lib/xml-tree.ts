// Reading the object tree fast-xml-parser gives (lib/xml.ts parses; the parse-back check builds
// the same tree in its own pass), and the one rule on what a document may declare. Apart from the
// parser, so that a build thread, which only checks, does not load it.

/** An element as fast-xml-parser gives it: children by name, attributes as `@name`, text as `#text`. */
export type XmlNode = Record<string, unknown>

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
