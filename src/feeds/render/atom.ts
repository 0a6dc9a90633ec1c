// Atom 1.0 renderer over the `feed` package: FeedModel → string, pure.
import type { Item } from 'feed'
import type { FeedItem, FeedModel } from '../model.js'
import { loadFeed } from './feed-package.js'
import { textToHtml } from '../../lib/html-text.js'

const toAtomItem = (item: FeedItem): Item => {
  const enclosure = item.enclosures[0]
  return {
    title: textToHtml(item.title),
    id: item.id,
    link: item.url,
    date: item.updated,
    published: item.published,
    description: textToHtml(item.summary),
    content: item.contentHtml,
    author: item.authors.map((a) => ({
      name: a.name,
      ...(a.email && { email: a.email }),
      ...(a.url && { link: a.url }),
    })),
    category: item.categories.map((c) => ({ name: c.label, term: c.slug, scheme: c.scheme })),
    ...(enclosure && { enclosure: { url: enclosure.url, length: enclosure.length } }),
    ...(item.image && { image: { url: item.image.url, length: item.image.length } }),
  }
}

// feed 6.0.0 writes Atom enclosure links as
//   <link rel="enclosure" href="URL"[ title="…"] type="GUESS"[ length="N"]/>
// where GUESS is "image/" + the URL's extension (image/jpg, image/png?x=1, …). It takes no type, so
// the real one is put back here; the parse-back check proves every type equals the model's.
const ENCLOSURE_LINK = /(<link rel="enclosure" href=")([^"]*)("(?: title="[^"]*")? type=")[^"]*(")/g

const withDeclaredTypes = (xml: string, items: readonly FeedItem[]): string => {
  const types = new Map<string, string>()
  for (const item of items) {
    for (const media of [...item.enclosures.slice(0, 1), ...(item.image ? [item.image] : [])]) {
      types.set(new URL(media.url).href.replace(/&/g, '&amp;'), media.type)
    }
  }
  return xml.replace(
    ENCLOSURE_LINK,
    (whole, start: string, href: string, mid: string, end: string) => {
      const type = types.get(href)
      return type === undefined ? whole : `${start}${href}${mid}${type}${end}`
    },
  )
}

const ATOM_ROOT = '<feed xmlns="http://www.w3.org/2005/Atom">'
// RFC 6721 §2.1.
const TOMBSTONES_NS = 'http://purl.org/atompub/tombstones/1.0'

// feed 6.0.0 has no way to add elements to an Atom document, so the tombstones go in here: the
// namespace on the root element it always writes, and one at:deleted-entry each before </feed>.
const withTombstones = (xml: string, deletions: FeedModel['deletions']): string => {
  if (deletions.length === 0) return xml
  const tombstones = deletions
    .map(
      (d) =>
        `    <at:deleted-entry ref="${textToHtml(d.id).replace(/"/g, '&quot;')}" when="${d.when.toISOString()}"/>`,
    )
    .join('\n')
  return xml
    .replace(ATOM_ROOT, `<feed xmlns="http://www.w3.org/2005/Atom" xmlns:at="${TOMBSTONES_NS}">`)
    .replace(/<\/feed>\s*$/, `${tombstones}\n</feed>`)
}

/** Renders the model as Atom 1.0; `updated` comes from the model, never from the clock. */
export const renderAtom = (model: FeedModel): string =>
  withTombstones(
    withDeclaredTypes(loadFeed(model, 'atom', toAtomItem).atom1(), model.items),
    model.deletions,
  )
