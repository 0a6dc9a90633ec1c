// What every format's reader produces: a foreign feed's entries as written there, with what the
// article model has no place for named. Mapping and validation happen later (import-feed.ts).
import { ValidationError } from '../lib/errors.js'

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

/** One item of a foreign feed; text fields are plain text, `contentHtml` is HTML. */
export interface ForeignEntry {
  sourceId?: string
  link?: string
  title?: string
  summary?: string
  contentHtml?: string
  published?: string
  updated?: string
  authors: ForeignAuthor[]
  categories: string[]
  tags: string[]
  /** Files: enclosures, Atom enclosure links, Media RSS content, JSON attachments. */
  media: ForeignMedia[]
  /** Image URLs given with no type or size (media:thumbnail, JSON `image`). */
  images: string[]
  /** What the item holds that the article model cannot (elements, members), one name each. */
  unkept: string[]
}

export interface ForeignFeed {
  format: 'rss' | 'atom' | 'json'
  /** The format and version as read, e.g. "RSS 1.0", "Atom 0.3", "JSON Feed 1.1". */
  version: string
  title?: string
  link?: string
  language?: string
  /** The feed's own date (lastBuildDate, updated, …): the rule for undated items. */
  updated?: string
  authors: ForeignAuthor[]
  /** How many entries the feed has. */
  size: number
  /**
   * The entries in order, each read when its turn comes (a record parsed on its own), so that an
   * import holds a batch of entries at a time, never the whole feed's.
   */
  entries: () => Iterable<ForeignEntry>
  /** The feed's own elements or members besides its entries that no article holds. */
  unkept: string[]
}

/** A document that cannot be imported at all. */
export const refuse = (message: string): never => {
  throw new ValidationError(`import/read: ${message}`, [{ path: '(document)', message }])
}

/** Every entry, read at once: for small feeds and tests. */
export const entriesOf = (feed: ForeignFeed): ForeignEntry[] => [...feed.entries()]

/** A document's text, read afresh (from its file, or its bytes) each time it is called. */
export type DocumentText = () => Iterable<string>
