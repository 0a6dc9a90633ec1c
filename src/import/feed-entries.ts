// A foreign feed document (RSS 0.91/0.92/1.0/2.0, Atom 0.3/1.0, JSON Feed 1.0/1.1) read into
// format-neutral entries for import: dispatch by the document's root to one reader per format.
import { readAtom } from './read-atom.js'
import { readJsonFeed } from './read-json.js'
import { type ForeignFeed, refuse } from './foreign.js'
import { readRss } from './read-rss.js'

export type { ForeignAuthor, ForeignEntry, ForeignFeed, ForeignMedia } from './foreign.js'
export { entriesOf } from './foreign.js'

const NOT_A_FEED = 'not an RSS (0.91–2.0), Atom (0.3, 1.0) or JSON Feed (1.0, 1.1) document'

/** Parses a foreign feed document; throws ValidationError when it is not one. */
export const readForeignFeed = (body: string): ForeignFeed => {
  const start = body.replace(/^\uFEFF/, '').trimStart()
  if (start.startsWith('{')) return readJsonFeed(start)
  const root = /<(?!\?|!)([A-Za-z_][\w.:-]*)/.exec(start)?.[1]
  if (root === 'rss' || root?.endsWith(':RDF') || root === 'RDF') return readRss(body)
  if (root === 'feed') return readAtom(body)
  return refuse(NOT_A_FEED)
}
