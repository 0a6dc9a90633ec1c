// The three published formats as data: file name and media type, shared by every stage; and which
// of them a document is in. The media types of what is published beside them live here too.

export type FeedFormat = 'rss' | 'atom' | 'json'

export interface FormatInfo {
  /** Last path segment of the feed URL and of the file under feeds/. */
  file: string
  contentType: string
  label: string
}

export const FEED_FORMATS: Readonly<Record<FeedFormat, FormatInfo>> = {
  // RSS and Atom media types: RFC 4287 §7 (Atom); application/rss+xml is the registered de facto type.
  rss: { file: 'rss.xml', contentType: 'application/rss+xml; charset=utf-8', label: 'RSS 2.0' },
  atom: { file: 'atom.xml', contentType: 'application/atom+xml; charset=utf-8', label: 'Atom 1.0' },
  // JSON Feed 1.1 §"Suggestions": application/feed+json.
  json: {
    file: 'feed.json',
    contentType: 'application/feed+json; charset=utf-8',
    label: 'JSON Feed 1.1',
  },
}

export const FORMAT_NAMES = Object.keys(FEED_FORMATS) as FeedFormat[]

/** Media types of the site's own pages: the HTML pages for people and the OPML list of feeds. */
export const PAGE_TYPES = {
  html: 'text/html; charset=utf-8',
  // OPML has no registered media type; text/x-opml is what feed readers expect.
  opml: 'text/x-opml; charset=utf-8',
} as const

/** A format's media type without its parameters: what a link's type attribute names. */
export const mediaTypeOf = (format: FeedFormat): string =>
  FEED_FORMATS[format].contentType.split(';')[0]!

/** Which format a document is in, by its first element or character; undefined if none of ours. */
export const detectFormat = (body: string): FeedFormat | undefined => {
  const start = body.replace(/^\uFEFF/, '').trimStart()
  if (start.startsWith('{')) return 'json'
  const root = /<(?!\?|!)([A-Za-z_][\w.:-]*)/.exec(start)?.[1]
  return root === 'rss' ? 'rss' : root === 'feed' ? 'atom' : undefined
}
