// RSS 0.91, 0.92, 2.0 (<rss>) and RSS 1.0 (<rdf:RDF>, items beside the channel) into foreign entries.
import { htmlToText } from '../lib/html-text.js'
import { attr, node, nodes, text, texts, type XmlNode as Node } from '../lib/xml-tree.js'
import {
  type DocumentText,
  type ForeignAuthor,
  type ForeignEntry,
  type ForeignFeed,
  refuse,
} from './foreign.js'
import { checkDocument, parseRecord, recordsOf } from './records.js'

const ARRAYS = [
  'item',
  'author',
  'category',
  'enclosure',
  'dc:creator',
  'dc:subject',
  'media:content',
  'media:thumbnail',
]

// Elements this import maps; any other element of an item is reported as not kept.
const KNOWN = new Set([
  'title',
  'link',
  'guid',
  'description',
  'content:encoded',
  'pubDate',
  'dc:date',
  'author',
  'dc:creator',
  'category',
  'dc:subject',
  'enclosure',
  'media:content',
  'media:thumbnail',
  'itunes:author',
])

// RSS <author> is "email (Name)" or just an email; anything else is taken as a name.
const rssAuthor = (value: string): ForeignAuthor => {
  const match = /^\s*([^\s()]+@[^\s()]+)\s*(?:\((.+)\))?\s*$/.exec(value)
  return match ? { email: match[1]!, ...(match[2] && { name: match[2] }) } : { name: value }
}

// The channel's elements this import reads (for dates, authors, language, resolving links).
const KNOWN_CHANNEL = new Set([
  'title',
  'link',
  'language',
  'dc:language',
  'lastBuildDate',
  'pubDate',
  'dc:date',
  'managingEditor',
  'dc:creator',
  'itunes:author',
  'item',
  'items',
])

const elementNames = (n: Node, known: ReadonlySet<string>): string[] =>
  Object.keys(n).filter((key) => !key.startsWith('@') && key !== '#text' && !known.has(key))

/** RSS author, dc:creator, else the podcast's itunes:author (a name, often a show's). */
const authorsOf = (n: Node): ForeignAuthor[] => {
  const named = [
    ...texts(n.author).map(rssAuthor),
    ...texts(n['dc:creator']).map((name) => ({ name })),
  ]
  return named.length > 0 ? named : texts(n['itunes:author']).map((name) => ({ name }))
}

const entryOf = (item: Node): ForeignEntry => {
  const encoded = text(item['content:encoded'])
  const description = text(item.description)
  const title = text(item.title)
  return {
    // RSS 1.0 names each item by its rdf:about URI.
    sourceId: text(item.guid) ?? attr(item, 'rdf:about') ?? text(item.link),
    link: text(item.link),
    // Titles are plain text by the spec, HTML-escaped in practice (RSS Best Practices Profile).
    title: title && htmlToText(title),
    // With content:encoded the description is its summary; otherwise it is the body.
    ...(encoded !== undefined
      ? { contentHtml: encoded, summary: description && htmlToText(description) }
      : { contentHtml: description }),
    published: text(item.pubDate) ?? text(item['dc:date']),
    authors: authorsOf(item),
    categories: [...texts(item.category), ...texts(item['dc:subject'])],
    tags: [],
    media: [...nodes(item.enclosure), ...nodes(item['media:content'])].map((e) => ({
      url: attr(e, 'url'),
      type: attr(e, 'type'),
      length: attr(e, 'length') ?? attr(e, 'fileSize'),
    })),
    images: nodes(item['media:thumbnail'])
      .map((t) => attr(t, 'url'))
      .filter((u) => u !== undefined),
    unkept: Object.keys(item).filter(
      (key) => !key.startsWith('@') && key !== '#text' && !KNOWN.has(key),
    ),
  }
}

/** Each item of the document, parsed when its turn comes. */
function* itemsOf(document: DocumentText): Generator<ForeignEntry> {
  for (const record of recordsOf(document(), 'item'))
    yield entryOf(nodes(parseRecord(record, ARRAYS).item)[0] ?? {})
}

export const readRss = (document: DocumentText): ForeignFeed => {
  const checked = checkDocument(document(), 'item', ARRAYS)
  if ('error' in checked) return refuse(checked.error)
  const rdfRoot = Object.keys(checked.header).find((key) => /(^|:)RDF$/.test(key))
  const root = node(rdfRoot ? checked.header[rdfRoot] : checked.header.rss)
  const channel = node(root.channel)
  // RSS 1.0 items are children of rdf:RDF, 0.9x and 2.0 items of the channel: cut out either way.
  const version = rdfRoot ? '1.0' : (attr(root, 'version') ?? '2.0')
  return {
    format: 'rss',
    version: `RSS ${version}`,
    title: text(channel.title),
    link: text(channel.link),
    language: text(channel.language) ?? text(channel['dc:language']),
    updated: text(channel.lastBuildDate) ?? text(channel.pubDate) ?? text(channel['dc:date']),
    authors: [...texts(channel.managingEditor).map(rssAuthor), ...authorsOf(channel)],
    size: checked.size,
    entries: () => itemsOf(document),
    unkept: [
      ...elementNames(channel, KNOWN_CHANNEL),
      ...(rdfRoot ? elementNames(root, new Set(['channel', 'item'])) : []),
    ],
  }
}
