// Atom 1.0 (RFC 4287) and Atom 0.3 into foreign entries: text, html and xhtml constructs; 0.3's
// modes (escaped, xml, base64) and dates (issued, modified, created).
import { htmlToText, textToParagraphs } from '../lib/html-text.js'
import { attr, node, nodes, text, type XmlNode as Node } from '../lib/xml-tree.js'
import type { DocumentText, ForeignAuthor, ForeignEntry, ForeignFeed } from './foreign.js'
import { refuse } from './foreign.js'
import { checkDocument, parseRecord, recordsOf } from './records.js'

const ARRAYS = ['entry', 'link', 'author', 'category', 'contributor']
// Text constructs are read as raw inner XML: xhtml keeps its markup, html and text are decoded here.
const CONSTRUCTS = ['entry.title', 'entry.summary', 'entry.content']

// Elements this import maps; any other element of an entry is reported as not kept.
const KNOWN = new Set([
  'id',
  'link',
  'title',
  'summary',
  'content',
  'published',
  'updated',
  'issued',
  'modified',
  'created',
  'author',
  'category',
])
// Link relations this import maps.
const KNOWN_RELS = new Set(['alternate', 'enclosure', 'self'])

const XML_ENTITIES: Readonly<Record<string, string>> = {
  lt: '<',
  gt: '>',
  amp: '&',
  quot: '"',
  apos: "'",
}

/** Character data of raw inner XML: CDATA sections as written, entities decoded elsewhere. */
const characterData = (raw: string): string =>
  raw
    .split(/(<!\[CDATA\[[\s\S]*?\]\]>)/)
    .map((part) =>
      part.startsWith('<![CDATA[')
        ? part.slice(9, -3)
        : part.replace(/&(#x[\da-f]+|#\d+|lt|gt|amp|quot|apos);/gi, (whole, code: string) => {
            if (code[0] !== '#') return XML_ENTITIES[code.toLowerCase()] ?? whole
            const n =
              code[1] === 'x' || code[1] === 'X'
                ? parseInt(code.slice(2), 16)
                : Number(code.slice(1))
            return n > 0 && n <= 0x10ffff ? String.fromCodePoint(n) : whole
          }),
    )
    .join('')

// RFC 4287 §3.1.1.3: the content of an xhtml construct is one xhtml:div, not itself part of it.
const insideDiv = (raw: string): string =>
  raw
    .trim()
    .replace(/^<(?:[\w-]+:)?div\b[^>]*>/, '')
    .replace(/<\/(?:[\w-]+:)?div>$/, '')
    .trim()

/** A text construct as HTML, or undefined when empty. `mode` and MIME types are Atom 0.3's. */
const constructHtml = (value: unknown): string | undefined => {
  if (value === undefined) return undefined
  const element = typeof value === 'string' ? { '#text': value } : node(value)
  const raw = typeof element['#text'] === 'string' ? element['#text'] : ''
  const type = (attr(element, 'type') ?? 'text').toLowerCase()
  const mode = attr(element, 'mode')
  let html: string
  if (mode === 'base64') html = Buffer.from(characterData(raw), 'base64').toString('utf8')
  else if (type === 'xhtml' || type === 'application/xhtml+xml' || mode === 'xml')
    html = insideDiv(raw)
  else if (type === 'html' || type === 'text/html' || mode === 'escaped') html = characterData(raw)
  else html = textToParagraphs(characterData(raw))
  return html.trim() === '' ? undefined : html.trim()
}

const constructText = (value: unknown): string | undefined => {
  const html = constructHtml(value)
  return html && htmlToText(html)
}

// The feed's elements this import reads.
const KNOWN_FEED = new Set(['title', 'link', 'id', 'updated', 'modified', 'author', 'entry'])

const authorsOf = (n: Node): ForeignAuthor[] =>
  nodes(n.author).map((a) => ({
    name: text(a.name),
    email: text(a.email),
    // Atom 1.0 uri, Atom 0.3 url.
    url: text(a.uri) ?? text(a.url),
  }))

const alternate = (links: Node[]): string | undefined =>
  attr(links.find((l) => (attr(l, 'rel') ?? 'alternate') === 'alternate') ?? {}, 'href')

const entryOf = (entry: Node): ForeignEntry => {
  const links = nodes(entry.link)
  const content = node(entry.content)
  return {
    sourceId: text(entry.id),
    link: alternate(links),
    title: constructText(entry.title),
    summary: constructText(entry.summary),
    contentHtml: constructHtml(entry.content),
    published: text(entry.published) ?? text(entry.issued) ?? text(entry.created),
    updated: text(entry.updated) ?? text(entry.modified),
    authors: authorsOf(entry),
    categories: nodes(entry.category)
      .map((c) => attr(c, 'label') ?? attr(c, 'term'))
      .filter((c): c is string => !!c),
    tags: [],
    media: links
      .filter((l) => attr(l, 'rel') === 'enclosure')
      .map((l) => ({ url: attr(l, 'href'), type: attr(l, 'type'), length: attr(l, 'length') })),
    images: [],
    unkept: [
      ...Object.keys(entry).filter(
        (key) => !key.startsWith('@') && key !== '#text' && !KNOWN.has(key),
      ),
      ...links
        .map((l) => attr(l, 'rel'))
        .filter((rel) => rel !== undefined && !KNOWN_RELS.has(rel))
        .map((rel) => `link rel="${rel}"`),
      // RFC 4287 §4.1.3.2: content elsewhere, by reference.
      ...(attr(content, 'src') ? ['content src (out-of-line content)'] : []),
    ],
  }
}

/** Each entry of the document, parsed when its turn comes. */
function* entriesIn(document: DocumentText): Generator<ForeignEntry> {
  for (const record of recordsOf(document(), 'entry'))
    yield entryOf(nodes(parseRecord(record, ARRAYS, CONSTRUCTS).entry)[0] ?? {})
}

export const readAtom = (document: DocumentText): ForeignFeed => {
  const checked = checkDocument(document(), 'entry', ARRAYS)
  if ('error' in checked) return refuse(checked.error)
  const feed = node(checked.header.feed)
  return {
    format: 'atom',
    version: attr(feed, 'version') === '0.3' ? 'Atom 0.3' : 'Atom 1.0',
    title: text(feed.title),
    link: alternate(nodes(feed.link)),
    language: attr(feed, 'xml:lang'),
    updated: text(feed.updated) ?? text(feed.modified),
    authors: authorsOf(feed),
    size: checked.size,
    entries: () => entriesIn(document),
    unkept: Object.keys(feed).filter(
      (key) => !key.startsWith('@') && key !== '#text' && !KNOWN_FEED.has(key),
    ),
  }
}
