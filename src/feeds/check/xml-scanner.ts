// A strict XML 1.0 scanner (well-formedness, §2–4, no DTD) calling back for each element, text and
// end tag; sticky regular expressions and indexOf, so that long text and CDATA cost a native scan.

/** What the scanner reports; attribute and text values have their references resolved. */
export interface ScanHandler {
  open(name: string, attributes: Record<string, string>): void
  text(text: string): void
  close(name: string): void
}

/** A well-formedness error at an offset of the document. */
export class XmlSyntaxError extends Error {
  constructor(
    readonly position: number,
    reason: string,
  ) {
    super(reason)
  }
}

// XML 1.0 fifth edition §2.3 NameStartChar and NameChar; #x10000-#xEFFFF as surrogate pairs, which
// keeps the expressions free of the `u` flag (much slower with classes this large).
const NAME_START_BMP =
  ':A-Z_a-z\\u00C0-\\u00D6\\u00D8-\\u00F6\\u00F8-\\u02FF\\u0370-\\u037D\\u037F-\\u1FFF\\u200C\\u200D' +
  '\\u2070-\\u218F\\u2C00-\\u2FEF\\u3001-\\uD7FF\\uF900-\\uFDCF\\uFDF0-\\uFFFD'
const ASTRAL = '[\\uD800-\\uDB7F][\\uDC00-\\uDFFF]'
const NAME_BMP = `${NAME_START_BMP}\\-.0-9\\u00B7\\u0300-\\u036F\\u203F-\\u2040`
const NAME = `(?:[${NAME_START_BMP}]|${ASTRAL})(?:[${NAME_BMP}]|${ASTRAL})*`
// §2.3 S: only these four are white space in XML (not \s, which knows many more).
const S = '[ \\t\\r\\n]'

const TAG_NAME = new RegExp(`<(${NAME})`, 'y')
const ATTRIBUTE = new RegExp(`${S}+(${NAME})${S}*=${S}*(?:"([^<"]*)"|'([^<']*)')`, 'y')
const TAG_END = new RegExp(`${S}*(/?)>`, 'y')
const END_TAG = new RegExp(`</(${NAME})${S}*>`, 'y')
const PI = new RegExp(`<\\?(${NAME})(?:${S}[^]*?)?\\?>`, 'y')
// §2.8 XMLDecl, at the very start only.
const XML_DECLARATION = new RegExp(
  `<\\?xml${S}+version${S}*=${S}*(["'])1\\.[0-9]+\\1` +
    `(?:${S}+encoding${S}*=${S}*(["'])[A-Za-z][A-Za-z0-9._-]*\\2)?` +
    `(?:${S}+standalone${S}*=${S}*(["'])(?:yes|no)\\3)?${S}*\\?>`,
  'y',
)
// §2.8 doctypedecl without an internal subset (lib/xml.ts refuses those first); §2.3 PubidChar.
const PUBID = `(?:"[ \\r\\na-zA-Z0-9\\-'()+,./:=?;!*#@$_%]*"|'[ \\r\\na-zA-Z0-9\\-()+,./:=?;!*#@$_%]*')`
const SYSTEM = `(?:"[^"]*"|'[^']*')`
const DOCTYPE = new RegExp(
  `<!DOCTYPE${S}+${NAME}(?:${S}+(?:SYSTEM${S}+${SYSTEM}|PUBLIC${S}+${PUBID}${S}+${SYSTEM}))?${S}*>`,
  'y',
)
const REFERENCE = /&(#x[0-9a-fA-F]+|#[0-9]+|[^&;<]*)(;?)/g
// §4.6: the only entities a document without a DTD may refer to.
const PREDEFINED = new Map([
  ['lt', '<'],
  ['gt', '>'],
  ['amp', '&'],
  ['apos', "'"],
  ['quot', '"'],
])

/** §2.2 Char: what a character reference may name. */
const isChar = (code: number): boolean =>
  code === 0x9 ||
  code === 0xa ||
  code === 0xd ||
  (code >= 0x20 && code <= 0xd7ff) ||
  (code >= 0xe000 && code <= 0xfffd) ||
  (code >= 0x10000 && code <= 0x10ffff)

/** §4.1: references resolved; `&` that starts none, or names an undeclared entity, is an error. */
const resolve = (value: string, at: number): string =>
  value.replace(REFERENCE, (whole, name: string, semicolon: string) => {
    if (!semicolon) throw new XmlSyntaxError(at, `"&" that starts no reference ("${whole}")`)
    if (name.startsWith('#')) {
      const code = name[1] === 'x' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10)
      if (!isChar(code)) throw new XmlSyntaxError(at, `"${whole}" refers to no XML character`)
      return String.fromCodePoint(code)
    }
    const predefined = PREDEFINED.get(name)
    if (predefined === undefined) throw new XmlSyntaxError(at, `undefined entity "${whole}"`)
    return predefined
  })

/** Character data (§2.4) between `from` and `to`: no "]]>", references resolved. */
const charData = (xml: string, from: number, to: number): string => {
  const text = xml.slice(from, to)
  const cdataEnd = text.indexOf(']]>')
  if (cdataEnd >= 0) throw new XmlSyntaxError(from + cdataEnd, '"]]>" in text')
  return text.includes('&') ? resolve(text, from) : text
}

/** §3.3.3 attribute-value normalization, after the references are resolved as §4.1 says. */
const attributeValue = (raw: string, at: number): string => {
  const spaced = /[\t\r\n]/.test(raw) ? raw.replace(/\r\n|[\t\r\n]/g, ' ') : raw
  return spaced.includes('&') ? resolve(spaced, at) : spaced
}

/** A comment (§2.5) at `at`: its end, after "-->"; "--" may not appear inside. */
const comment = (xml: string, at: number): number => {
  const dashes = xml.indexOf('--', at + 4)
  if (dashes < 0) throw new XmlSyntaxError(at, 'a comment that does not end')
  if (xml.charCodeAt(dashes + 2) !== 0x3e) throw new XmlSyntaxError(dashes, '"--" inside a comment')
  return dashes + 3
}

/** A processing instruction (§2.6) at `at`: its end. Its target may not be "xml" (§2.8). */
const instruction = (xml: string, at: number): number => {
  PI.lastIndex = at
  const match = PI.exec(xml)
  if (!match) throw new XmlSyntaxError(at, 'a malformed processing instruction')
  if (match[1]!.toLowerCase() === 'xml')
    throw new XmlSyntaxError(at, 'an XML declaration after the start of the document')
  return PI.lastIndex
}

/** Markup allowed around the root (§2.8 Misc): white space, comments, PIs; the end of it. */
const misc = (xml: string, at: number): number => {
  let pos = at
  for (;;) {
    while (pos < xml.length && ' \t\r\n'.includes(xml[pos]!)) pos += 1
    if (xml.startsWith('<!--', pos)) pos = comment(xml, pos)
    else if (xml.startsWith('<?', pos)) pos = instruction(xml, pos)
    else return pos
  }
}

/** The prolog (§2.8): XMLDecl? Misc* (doctypedecl Misc*)?; where the root element starts. */
const prolog = (xml: string): number => {
  let pos = xml.charCodeAt(0) === 0xfeff ? 1 : 0
  XML_DECLARATION.lastIndex = pos
  if (XML_DECLARATION.test(xml)) pos = XML_DECLARATION.lastIndex
  else if (/^<\?xml[ \t\r\n?]/.test(xml.slice(pos, pos + 6)))
    throw new XmlSyntaxError(pos, 'a malformed XML declaration')
  pos = misc(xml, pos)
  if (xml.startsWith('<!DOCTYPE', pos)) {
    DOCTYPE.lastIndex = pos
    if (!DOCTYPE.test(xml)) throw new XmlSyntaxError(pos, 'a malformed or internal DOCTYPE')
    pos = misc(xml, DOCTYPE.lastIndex)
  }
  if (xml.charCodeAt(pos) !== 0x3c || !/[^!?/]/.test(xml[pos + 1] ?? '!'))
    throw new XmlSyntaxError(pos, 'no root element where one should start')
  return pos
}

/** The attributes of a start tag from `at`, after its name (§3.1): them, and where they end. */
const attributesAt = (
  xml: string,
  at: number,
): { attributes: Record<string, string>; end: number } => {
  // No prototype: an attribute named __proto__ is an attribute like any other.
  const attributes = Object.create(null) as Record<string, string>
  ATTRIBUTE.lastIndex = at
  let end = at
  for (let match = ATTRIBUTE.exec(xml); match; match = ATTRIBUTE.exec(xml)) {
    const name = match[1]!
    if (Object.hasOwn(attributes, name))
      throw new XmlSyntaxError(end, `attribute "${name}" appears twice`)
    attributes[name] = attributeValue(match[2] ?? match[3] ?? '', end)
    end = ATTRIBUTE.lastIndex
  }
  return { attributes, end }
}

/** A start or empty-element tag (§3.1) at `at`: its end, and its name unless it was empty. */
const startTag = (
  xml: string,
  at: number,
  handler: ScanHandler,
): { end: number; name?: string } => {
  TAG_NAME.lastIndex = at
  const name = TAG_NAME.exec(xml)?.[1]
  if (name === undefined) throw new XmlSyntaxError(at, 'a malformed start tag')
  const { attributes, end } = attributesAt(xml, TAG_NAME.lastIndex)
  TAG_END.lastIndex = end
  const close = TAG_END.exec(xml)
  if (!close) throw new XmlSyntaxError(end, `a malformed attribute or end of <${name}>`)
  handler.open(name, attributes)
  if (close[1]) handler.close(name)
  return { end: TAG_END.lastIndex, name: close[1] ? undefined : name }
}

/** An end tag (§3.1) at `at`, which must close `open`: the end of it. */
const endTag = (xml: string, at: number, open: string): number => {
  END_TAG.lastIndex = at
  const match = END_TAG.exec(xml)
  if (!match) throw new XmlSyntaxError(at, 'a malformed end tag')
  if (match[1] !== open) throw new XmlSyntaxError(at, `</${match[1]}> where </${open}> belongs`)
  return END_TAG.lastIndex
}

/** CDATA (§2.7) at `at`, passed on as text: the end of it. */
const cdata = (xml: string, at: number, handler: ScanHandler): number => {
  const end = xml.indexOf(']]>', at + 9)
  if (end < 0) throw new XmlSyntaxError(at, 'a CDATA section that does not end')
  handler.text(xml.slice(at + 9, end))
  return end + 3
}

/** The markup at `at` inside an element, other than a start tag: its end. */
const innerMarkup = (xml: string, at: number, handler: ScanHandler): number => {
  if (xml.startsWith('<![CDATA[', at)) return cdata(xml, at, handler)
  if (xml.startsWith('<!--', at)) return comment(xml, at)
  if (xml.startsWith('<?', at)) return instruction(xml, at)
  throw new XmlSyntaxError(at, 'markup that is not an element, CDATA, comment or PI')
}

/** The root element (§3) from `at`, everything inside it reported: where it ends. */
const element = (xml: string, at: number, handler: ScanHandler): number => {
  const open: string[] = []
  let pos = at
  for (;;) {
    const lt = xml.indexOf('<', pos)
    if (lt < 0) throw new XmlSyntaxError(xml.length, `<${open[open.length - 1]}> is not closed`)
    if (lt > pos) handler.text(charData(xml, pos, lt))
    const next = xml.charCodeAt(lt + 1)
    if (next === 0x2f /* / */) {
      const name = open.pop()!
      pos = endTag(xml, lt, name)
      handler.close(name)
      if (open.length === 0) return pos
    } else if (next === 0x21 /* ! */ || next === 0x3f /* ? */) {
      pos = innerMarkup(xml, lt, handler)
    } else {
      const { end, name } = startTag(xml, lt, handler)
      if (name !== undefined) open.push(name)
      else if (open.length === 0) return end
      pos = end
    }
  }
}

/** Scans a whole document; throws XmlSyntaxError at the first well-formedness error. */
export const scanXml = (xml: string, handler: ScanHandler): void => {
  const end = element(xml, prolog(xml), handler)
  const after = misc(xml, end)
  if (after < xml.length) {
    const second = xml.startsWith('<', after) && !xml.startsWith('<!', after)
    throw new XmlSyntaxError(
      after,
      second ? 'a second root element' : 'text after the root element',
    )
  }
}
