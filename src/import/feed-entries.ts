// Reads a foreign RSS 2.0, Atom 1.0 or JSON Feed document into format-neutral entries for import.
import { detectFormat } from '../feeds/check/index.js'
import { ValidationError } from '../lib/errors.js'
import { textToHtml } from '../lib/html-text.js'
import { attr, node, nodes, parseXml, text, texts, type XmlNode as Node } from '../lib/xml.js'

export interface ForeignAuthor {
  name?: string
  email?: string
  url?: string
}

export interface ForeignMedia {
  url?: string
  type?: string
  length?: string
}

/** One item of a foreign feed, as written there; mapping and validation happen later. */
export interface ForeignEntry {
  sourceId?: string
  link?: string
  title?: string
  titleIsHtml: boolean
  summary?: string
  contentHtml?: string
  published?: string
  updated?: string
  authors: ForeignAuthor[]
  categories: string[]
  tags: string[]
  media: ForeignMedia[]
  image?: string
}

export interface ForeignFeed {
  format: 'rss' | 'atom' | 'json'
  title?: string
  link?: string
  language?: string
  authors: ForeignAuthor[]
  entries: ForeignEntry[]
}

const ARRAYS = [
  'item',
  'entry',
  'link',
  'author',
  'category',
  'enclosure',
  'dc:creator',
  'media:content',
]

// RSS <author> is "email (Name)" or just an email; anything else is taken as a name.
const rssAuthor = (value: string): ForeignAuthor => {
  const match = /^\s*([^\s()]+@[^\s()]+)\s*(?:\((.+)\))?\s*$/.exec(value)
  return match ? { email: match[1]!, ...(match[2] && { name: match[2] }) } : { name: value }
}

const fromRss = (doc: Node): ForeignFeed => {
  const channel = node(node(doc.rss).channel)
  return {
    format: 'rss',
    title: text(channel.title),
    link: text(channel.link),
    language: text(channel.language),
    authors: texts(channel.managingEditor).map(rssAuthor),
    entries: nodes(channel.item).map((item) => ({
      sourceId: text(item.guid) ?? text(item.link),
      link: text(item.link),
      title: text(item.title),
      titleIsHtml: true,
      summary: text(item.description),
      contentHtml: text(item['content:encoded']) ?? text(item.description),
      published: text(item.pubDate) ?? text(item['dc:date']),
      updated: text(item['dc:modified']),
      authors: [
        ...texts(item.author).map(rssAuthor),
        ...texts(item['dc:creator']).map((name) => ({ name })),
      ],
      categories: texts(item.category),
      tags: [],
      media: [...nodes(item.enclosure), ...nodes(item['media:content'])].map((e) => ({
        url: attr(e, 'url'),
        type: attr(e, 'type'),
        length: attr(e, 'length') ?? attr(e, 'fileSize'),
      })),
    })),
  }
}

const atomAuthors = (n: Node): ForeignAuthor[] =>
  nodes(n.author).map((a) => ({ name: text(a.name), email: text(a.email), url: text(a.uri) }))

const fromAtom = (doc: Node): ForeignFeed => {
  const feed = node(doc.feed)
  const alternate = (links: Node[]) =>
    attr(links.find((l) => (attr(l, 'rel') ?? 'alternate') === 'alternate') ?? {}, 'href')
  return {
    format: 'atom',
    title: text(feed.title),
    link: alternate(nodes(feed.link)),
    language: attr(feed, 'xml:lang'),
    authors: atomAuthors(feed),
    entries: nodes(feed.entry).map((entry) => {
      const links = nodes(entry.link)
      const titleType = attr(node(entry.title), 'type')
      return {
        sourceId: text(entry.id),
        link: alternate(links),
        title: text(entry.title),
        titleIsHtml: titleType === 'html' || titleType === 'xhtml',
        summary: text(entry.summary),
        contentHtml: text(entry.content) ?? text(entry.summary),
        published: text(entry.published),
        updated: text(entry.updated),
        authors: atomAuthors(entry),
        categories: nodes(entry.category)
          .map((c) => attr(c, 'label') ?? attr(c, 'term'))
          .filter((c): c is string => !!c),
        tags: [],
        media: links
          .filter((l) => attr(l, 'rel') === 'enclosure')
          .map((l) => ({ url: attr(l, 'href'), type: attr(l, 'type'), length: attr(l, 'length') })),
      }
    }),
  }
}

const str = (v: unknown): string | undefined =>
  typeof v === 'string' && v.trim() !== '' ? v : undefined
const jsonAuthors = (n: Node): ForeignAuthor[] =>
  [...nodes(n.authors), ...(n.author ? [node(n.author)] : [])].map((a) => ({
    name: str(a.name),
    url: str(a.url),
  }))

const fromJson = (doc: Node): ForeignFeed => ({
  format: 'json',
  title: str(doc.title),
  link: str(doc.home_page_url),
  language: str(doc.language),
  authors: jsonAuthors(doc),
  entries: nodes(doc.items).map((item) => {
    const contentText = str(item.content_text)
    return {
      sourceId: str(item.id) ?? (typeof item.id === 'number' ? String(item.id) : undefined),
      link: str(item.url) ?? str(item.external_url),
      title: str(item.title),
      titleIsHtml: false,
      summary: str(item.summary),
      contentHtml:
        str(item.content_html) ??
        (contentText && `<p>${textToHtml(contentText).replace(/\n\n+/g, '</p><p>')}</p>`),
      published: str(item.date_published),
      updated: str(item.date_modified),
      authors: jsonAuthors(item),
      categories: [],
      tags: (Array.isArray(item.tags) ? item.tags : []).filter(
        (t): t is string => typeof t === 'string',
      ),
      media: nodes(item.attachments).map((a) => ({
        url: str(a.url),
        type: str(a.mime_type),
        length: typeof a.size_in_bytes === 'number' ? String(a.size_in_bytes) : undefined,
      })),
      ...(str(item.image) && { image: str(item.image) }),
    }
  }),
})

/** Parses a foreign feed document; throws ValidationError when it is not one. */
export const readForeignFeed = (body: string): ForeignFeed => {
  const refuse = (message: string): never => {
    throw new ValidationError(`import: ${message}`, [{ path: '(document)', message }])
  }
  const format = detectFormat(body) ?? refuse('not an RSS 2.0, Atom 1.0 or JSON Feed document')
  if (format === 'json') {
    try {
      return fromJson(node(JSON.parse(body)))
    } catch (cause) {
      return refuse(`not valid JSON: ${cause instanceof Error ? cause.message : String(cause)}`)
    }
  }
  const parsed = parseXml(body, ARRAYS)
  if ('error' in parsed) return refuse(parsed.error)
  const doc = parsed.doc
  return format === 'rss' ? fromRss(doc) : fromAtom(doc)
}
