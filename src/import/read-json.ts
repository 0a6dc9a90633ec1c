// JSON Feed 1.0 and 1.1 (https://www.jsonfeed.org/version/1.1/) into foreign entries.
import { textToParagraphs } from '../lib/html-text.js'
import { node, nodes, type XmlNode as Node } from '../lib/xml-tree.js'
import { type ForeignAuthor, type ForeignEntry, type ForeignFeed, refuse } from './foreign.js'

// Members this import maps; any other member of an item is reported as not kept.
const KNOWN = new Set([
  'id',
  'url',
  'external_url',
  'title',
  'content_html',
  'content_text',
  'summary',
  'image',
  'date_published',
  'date_modified',
  'author',
  'authors',
  'tags',
  'language',
  'attachments',
])

// The feed's members this import reads.
const KNOWN_FEED = new Set([
  'version',
  'title',
  'home_page_url',
  'language',
  'author',
  'authors',
  'items',
])

const str = (v: unknown): string | undefined =>
  typeof v === 'string' && v.trim() !== '' ? v : undefined

// 1.0 has one `author`, 1.1 an `authors` array.
const authorsOf = (n: Node): ForeignAuthor[] =>
  [...nodes(n.authors), ...(n.author ? [node(n.author)] : [])].map((a) => ({
    name: str(a.name),
    url: str(a.url),
  }))

export const readJsonFeed = (body: string): ForeignFeed => {
  let doc: Node
  try {
    doc = node(JSON.parse(body))
  } catch (cause) {
    return refuse(`not valid JSON: ${cause instanceof Error ? cause.message : String(cause)}`)
  }
  const version = /jsonfeed\.org\/version\/(1(?:\.\d)?)/.exec(String(doc.version))?.[1]
  if (!version) return refuse('a JSON document without a JSON Feed "version"')
  const { entries, ...feed } = {
    format: 'json' as const,
    version: `JSON Feed ${version.includes('.') ? version : `${version}.0`}`,
    title: str(doc.title),
    link: str(doc.home_page_url),
    language: str(doc.language),
    authors: authorsOf(doc),
    entries: nodes(doc.items).map((item): ForeignEntry => {
      const contentText = str(item.content_text)
      const contentHtml = str(item.content_html)
      return {
        sourceId: str(item.id) ?? (typeof item.id === 'number' ? String(item.id) : undefined),
        link: str(item.url) ?? str(item.external_url),
        title: str(item.title),
        summary: str(item.summary),
        contentHtml: contentHtml ?? (contentText && textToParagraphs(contentText)),
        published: str(item.date_published),
        updated: str(item.date_modified),
        authors: authorsOf(item),
        categories: [],
        tags: (Array.isArray(item.tags) ? item.tags : []).filter(
          (t): t is string => typeof t === 'string',
        ),
        media: nodes(item.attachments).map((a) => ({
          url: str(a.url),
          type: str(a.mime_type),
          length: typeof a.size_in_bytes === 'number' ? String(a.size_in_bytes) : undefined,
        })),
        images: [str(item.image)].filter((u) => u !== undefined),
        unkept: [
          ...Object.keys(item).filter((key) => !KNOWN.has(key)),
          // Both bodies: the HTML is kept, the text version is not.
          ...(contentHtml && contentText ? ['content_text (beside content_html)'] : []),
          ...(str(item.url) && str(item.external_url) ? ['external_url'] : []),
        ],
      }
    }),
    unkept: Object.keys(doc).filter((key) => !KNOWN_FEED.has(key)),
  }
  return { ...feed, size: entries.length, entries: () => entries }
}
