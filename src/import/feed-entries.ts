// A foreign feed document (RSS 0.91/0.92/1.0/2.0, Atom 0.3/1.0, JSON Feed 1.0/1.1) read into
// format-neutral entries for import: dispatch by the document's root to one reader per format.
import { decodeSource, type DecodedStream } from './decode.js'
import { readAtom } from './read-atom.js'
import { readJsonFeed } from './read-json.js'
import { type DocumentText, type ForeignFeed, refuse } from './foreign.js'
import { readRss } from './read-rss.js'
import type { FeedSource } from './source.js'

export type { ForeignAuthor, ForeignEntry, ForeignFeed, ForeignMedia } from './foreign.js'
export { entriesOf } from './foreign.js'

const NOT_A_FEED = 'not an RSS (0.91–2.0), Atom (0.3, 1.0) or JSON Feed (1.0, 1.1) document'

/** Reads an XML feed by its root element, named near the document's start. */
const readXmlFeed = (start: string, document: DocumentText): ForeignFeed => {
  const root = /<(?!\?|!)([A-Za-z_][\w.:-]*)/.exec(start)?.[1]
  if (root === 'rss' || root?.endsWith(':RDF') || root === 'RDF') return readRss(document)
  if (root === 'feed') return readAtom(document)
  return refuse(NOT_A_FEED)
}

/** Parses a foreign feed document; throws ValidationError when it is not one. */
export const readForeignFeed = (body: string): ForeignFeed => {
  const start = body.replace(/^\uFEFF/, '').trimStart()
  if (start.startsWith('{')) return readJsonFeed(start)
  return readXmlFeed(start, () => [body])
}

/**
 * Decodes and reads a foreign feed from its source without holding its text whole: XML is checked
 * in a first reading and its entries parsed in a second; JSON is parsed whole (JSON.parse has no
 * streaming form). Throws ValidationError when it is not a feed or a byte does not decode.
 */
export const openForeignFeed = (
  source: FeedSource,
): { feed: ForeignFeed; decoded: Omit<DecodedStream, 'texts'> } => {
  const { texts, ...decoded } = decodeSource(source)
  if (decoded.isJson) return { feed: readForeignFeed([...texts()].join('')), decoded }
  let start = ''
  for (const text of texts()) {
    start += text
    if (start.length >= 4096) break
  }
  return { feed: readXmlFeed(start.replace(/^\uFEFF/, '').trimStart(), texts), decoded }
}
