// RSS 2.0 renderer over the `feed` package: FeedModel → string, pure.
import type { Extension, Item } from 'feed'
import type { FeedItem, FeedModel } from '../model.js'
import { MEDIA_NS } from './atom-extras.js'
import { loadFeed, plainText } from './feed-package.js'
import { withHistoryLinks } from './history-links.js'
import { textToHtml } from '../../lib/html-text.js'

// RSS 2.0 allows one <enclosure> per item: the first attached file, else the image.
const primaryEnclosure = (item: FeedItem): Item['enclosure'] => {
  const media = item.enclosures[0] ?? item.image
  return media && { url: media.url, type: media.type, length: media.length }
}

// RSS titles are plain text (RSS Best Practices Profile, "title"): written as text, escaped once,
// where `feed` would wrap them in CDATA; an extension named "title" replaces its element in place.
const plainTitle = (title: string): Extension => ({
  name: 'title',
  objects: { _text: plainText(title) } as unknown as Record<string, unknown>,
})

// One <dc:creator> per author. `feed` hands extension objects to xml-js, which writes an array as
// repeated elements; the package's type only admits a record.
const creators = (item: FeedItem): Extension => ({
  name: 'dc:creator',
  objects: item.authors.map((a) => ({ _text: plainText(a.name) })) as unknown as Record<
    string,
    unknown
  >,
})

// xml-js escapes only `"` in attribute values; URLs (already parsed) can still hold `&`.
const attrUrl = (url: string): string => url.replace(/&/g, '&amp;')

/** Media RSS for the item's image: a media:content with its type and size, and a thumbnail. */
const imageMedia = (item: FeedItem): Extension[] =>
  item.image
    ? [
        {
          name: 'media:content',
          objects: {
            _attributes: {
              url: attrUrl(item.image.url),
              type: item.image.type,
              fileSize: String(item.image.length),
              medium: 'image',
            },
          },
        },
        { name: 'media:thumbnail', objects: { _attributes: { url: attrUrl(item.image.url) } } },
      ]
    : []

const toRssItem = (item: FeedItem): Item => {
  const enclosure = primaryEnclosure(item)
  return {
    // RSS 2.0 "item": a title or a description is required (a link post has no body, a short
    // post no title); a body with no summary is the description rather than a copy in
    // content:encoded.
    title: item.title ?? '',
    id: item.id,
    guid: item.id,
    link: item.url,
    date: item.updated,
    published: item.published,
    description: item.summary === undefined ? (item.contentHtml ?? '') : textToHtml(item.summary),
    ...(item.summary !== undefined && item.contentHtml && { content: item.contentHtml }),
    // RSS <author> must be an email address (RSS 2.0 spec, "author"): only authors with one get it;
    // every author is named in <dc:creator>, as WordPress does.
    author: item.authors
      .filter((a) => a.email)
      .map((a) => ({ name: plainText(a.name), ...(a.email && { email: a.email }) })),
    category: item.categories.map((c) => ({ name: plainText(c.label), domain: c.scheme })),
    ...(enclosure && { enclosure }),
    extensions: [
      ...(item.title === undefined ? [] : [plainTitle(item.title)]),
      creators(item),
      ...imageMedia(item),
    ],
  }
}

const DC_NS = 'http://purl.org/dc/elements/1.1/'

/** Renders the model as RSS 2.0; the media and dc namespaces are declared on the root when used. */
export const renderRss = (model: FeedModel): string => {
  const xml = withHistoryLinks(loadFeed(model, 'rss', toRssItem).rss2(), model, 'rss')
  // `feed` declares dc only beside content:encoded, which a feed of link posts does not have.
  const namespaces = [
    ...(model.items.length > 0 && !xml.includes('xmlns:dc=') ? [` xmlns:dc="${DC_NS}"`] : []),
    ...(model.items.some((item) => item.image) ? [` xmlns:media="${MEDIA_NS}"`] : []),
  ]
  return xml.replace('<rss version="2.0"', `<rss version="2.0"${namespaces.join('')}`)
}
