// Parses RSS 2.0 and Atom 1.0 documents back into a FeedDigest, in one strict pass (strict-xml.ts).
import {
  attr,
  nodes as asNodes,
  node as asNode,
  DTD_REFUSED,
  hasInternalSubset,
  text,
  type XmlNode as Node,
} from '../../lib/xml-tree.js'
import { readStrictXml } from './strict-xml.js'
import type { FeedDigest, ItemDigest, MediaDigest, Problem } from './digest.js'

const ALWAYS_ARRAYS = new Set([
  'item',
  'entry',
  'link',
  'atom:link',
  'author',
  'category',
  'enclosure',
  'at:deleted-entry',
  'media:content',
])

const OWN_RELS = new Set(['self', 'alternate', 'enclosure'])

/** Feed-level links other than self and alternate, as RSS atom:link or Atom link elements. */
const otherLinks = (links: Node[]): FeedDigest['links'] =>
  links
    .map((l) => ({ rel: attr(l, 'rel') ?? 'alternate', href: attr(l, 'href') }))
    .filter((l) => !OWN_RELS.has(l.rel))

const need = (missing: string[], path: string, value: unknown): void => {
  if (value === undefined || value === '') missing.push(path)
}

/** Media RSS media:content elements: fileSize is their length in bytes. */
const mediaContent = (element: Node): MediaDigest[] =>
  asNodes(element['media:content']).map((m) => ({
    kind: 'media' as const,
    url: attr(m, 'url'),
    type: attr(m, 'type'),
    length: attr(m, 'fileSize'),
  }))

const rssItem = (item: Node, i: number, missing: string[]): ItemDigest => {
  const title = text(item.title)
  if (title === undefined && text(item.description) === undefined) {
    missing.push(`item[${i + 1}]/title|description`)
  }
  return {
    id: text(item.guid),
    link: text(item.link),
    title,
    published: text(item.pubDate),
    hasContent: text(item['content:encoded']) !== undefined,
    authorCount: asNodes(item['dc:creator']).length + asNodes(item.author).length,
    media: [
      ...asNodes(item.enclosure).map((e) => ({
        kind: 'enclosure' as const,
        url: attr(e, 'url'),
        type: attr(e, 'type'),
        length: attr(e, 'length'),
      })),
      ...mediaContent(item),
    ],
  }
}

const digestRss = (doc: Node): FeedDigest => {
  const missing: string[] = []
  const rss = asNode(doc.rss)
  if (attr(rss, 'version') !== '2.0') missing.push('rss/@version="2.0"')
  const channel = asNode(rss.channel)
  for (const name of ['title', 'link', 'description'])
    need(missing, `channel/${name}`, text(channel[name]))
  const atomLinks = asNodes(channel['atom:link'])
  const self = atomLinks.find((l) => attr(l, 'rel') === 'self')
  const items = asNodes(channel.item).map((item, i) => rssItem(item, i, missing))
  const links = otherLinks(atomLinks)
  return {
    format: 'rss',
    title: text(channel.title),
    home: text(channel.link),
    self: self && attr(self, 'href'),
    updated: text(channel.lastBuildDate),
    missing,
    prefixesUsed: [],
    prefixesDeclared: [],
    links,
    archive: 'fh:archive' in channel,
    urls: [
      text(channel.link),
      self && attr(self, 'href'),
      ...links.map((l) => l.href),
      ...items.flatMap((item) => [item.link, ...item.media.map((m) => m.url)]),
    ].filter((u): u is string => u !== undefined),
    items,
    tombstones: [],
  }
}

const atomMedia = (entry: Node, links: Node[]): MediaDigest[] => [
  ...links
    .filter((l) => attr(l, 'rel') === 'enclosure')
    .map((l) => ({
      kind: 'enclosure' as const,
      url: attr(l, 'href'),
      type: attr(l, 'type'),
      length: attr(l, 'length'),
    })),
  ...mediaContent(entry),
]

const alternate = (links: Node[]): string | undefined => {
  const link = links.find((l) => (attr(l, 'rel') ?? 'alternate') === 'alternate')
  return link && attr(link, 'href')
}

const digestAtom = (doc: Node): FeedDigest => {
  const missing: string[] = []
  const feed = asNode(doc.feed)
  if (attr(feed, 'xmlns') !== 'http://www.w3.org/2005/Atom') missing.push('feed/@xmlns (Atom)')
  for (const name of ['id', 'title', 'updated']) need(missing, `feed/${name}`, text(feed[name]))
  const links = asNodes(feed.link)
  const feedHasAuthor = asNodes(feed.author).length > 0
  const entries = asNodes(feed.entry).map((entry, i): ItemDigest => {
    for (const name of ['id', 'updated'])
      need(missing, `entry[${i + 1}]/${name}`, text(entry[name]))
    // RFC 4287 §4.1.2: a title element, which may be empty (a short post); and content or an
    // alternate link.
    if (entry.title === undefined) missing.push(`entry[${i + 1}]/title`)
    if (entry.content === undefined && alternate(asNodes(entry.link)) === undefined)
      missing.push(`entry[${i + 1}]/content|link[@rel="alternate"]`)
    const authorCount = asNodes(entry.author).length
    // RFC 4287 §4.1.2: an entry without an author needs one on the feed.
    if (authorCount === 0 && !feedHasAuthor) missing.push(`entry[${i + 1}]/author`)
    const entryLinks = asNodes(entry.link)
    return {
      id: text(entry.id),
      link: alternate(entryLinks),
      title: text(entry.title),
      published: text(entry.published),
      updated: text(entry.updated),
      hasContent: text(entry.content) !== undefined,
      authorCount,
      media: atomMedia(entry, entryLinks),
    }
  })
  const self = links.find((l) => attr(l, 'rel') === 'self')
  return {
    format: 'atom',
    title: text(feed.title),
    home: alternate(links),
    self: self && attr(self, 'href'),
    updated: text(feed.updated),
    missing,
    prefixesUsed: [],
    prefixesDeclared: [],
    links: otherLinks(links),
    archive: 'fh:archive' in feed,
    urls: [
      ...links.map((l) => attr(l, 'href')),
      ...entries.flatMap((e) => [e.link, ...e.media.map((m) => m.url)]),
    ].filter((u): u is string => u !== undefined),
    items: entries,
    tombstones: asNodes(feed['at:deleted-entry']).map((t) => ({
      ref: attr(t, 'ref'),
      when: attr(t, 'when'),
    })),
  }
}

/** Parses an RSS or Atom document; a document that is not well-formed XML yields a problem. */
export const digestXml = (
  format: 'rss' | 'atom',
  xml: string,
): { digest: FeedDigest } | { problem: Problem } => {
  if (hasInternalSubset(xml)) return { problem: { rule: 'well-formed', message: DTD_REFUSED } }
  const read = readStrictXml(xml, ALWAYS_ARRAYS)
  if ('error' in read) return { problem: { rule: 'well-formed', message: read.error } }
  const digest =
    format === 'rss' ? digestRss(read.doc) : { ...digestAtom(read.doc), order: read.rootChildren }
  return {
    digest: {
      ...digest,
      prefixesUsed: read.prefixesUsed,
      prefixesDeclared: read.prefixesDeclared,
      controlCharacters: read.controlCharacters,
    },
  }
}
