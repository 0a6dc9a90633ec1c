// What a feed reader sees in a parsed feed document: the shape every format's parser produces.
import type { FeedFormat } from '../formats.js'

export interface MediaDigest {
  /** An enclosure (RSS <enclosure>, Atom link rel="enclosure", JSON attachment) or media:content. */
  kind: 'enclosure' | 'media'
  url?: string
  type?: string
  length?: string
}

export interface ItemDigest {
  id?: string
  link?: string
  title?: string
  /** Raw date strings as written, so the format of each can be checked. */
  published?: string
  updated?: string
  hasContent: boolean
  authorCount: number
  media: MediaDigest[]
}

export interface FeedDigest {
  format: FeedFormat
  title?: string
  home?: string
  self?: string
  updated?: string
  /** Required elements or members that are absent, as paths (e.g. "channel/description"). */
  missing: string[]
  /** Namespace prefixes used in element or attribute names, and those declared with xmlns:. */
  prefixesUsed: string[]
  prefixesDeclared: string[]
  /** Every URL the document links to (links, ids that are URLs, media), for the absolute-URL rule. */
  urls: string[]
  items: ItemDigest[]
  /** Feed-level links besides self and alternate (RFC 5005 history, WebSub hub), by rel. */
  links: Array<{ rel: string; href?: string }>
  /** Marked as an RFC 5005 archive document (fh:archive). */
  archive: boolean
  /** Atom tombstones (RFC 6721): the ref and when of each at:deleted-entry. */
  tombstones: Array<{ ref?: string; when?: string }>
  /**
   * XML: whether the parse met characters XML 1.0 §2.2 excludes. JSON leaves it out: the rule
   * looks for their escapes in the text.
   */
  controlCharacters?: boolean
  /** Atom: the feed element's children in document order (prefixed names as written). */
  order?: string[]
}

/** A reason not to publish: which rule failed and what was seen. */
export interface Problem {
  rule: string
  message: string
}
