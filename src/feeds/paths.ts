// Where everything the site publishes lives: a feed's document paths (its pages, the archive's
// months), their URL paths per format and their pages for people, the index page and the OPML list,
// and the files under feeds/ that mirror them. Pure string mappings; every other module asks here.
import type { FacetKind } from '../store/store.js'
import { FEED_FORMATS, type FeedFormat, FORMAT_NAMES } from './formats.js'

// Three kinds of path, named so that they do not get mixed up:
// - a document path: a feed document's place under /feeds/ without a file name ('' for the site
//   feed's first page, 'tags/nasa', 'tags/nasa/page/2', 'archive/2026/11');
// - a URL path: what a request asks for, decoded ('/feeds/tags/nasa/rss.xml', '/feeds/tags/nasa/');
// - a file: where an output is written, relative to feeds/ and '/'-separated ('tags/nasa/rss.xml').

/** URL path of the HTML index of every feed. */
export const INDEX_PATH = '/'

/** URL path of the OPML list of every feed. */
export const OPML_PATH = '/feeds.opml'

/** Document path of the site feed. */
export const SITE_PATH = ''

const FEEDS_ROOT = '/feeds/'

/** URL path of the folder of the site's monthly archives (the page for people of none of them). */
export const ARCHIVE_ROOT = '/feeds/archive/'

const FACET_FOLDERS: Readonly<Record<FacetKind, string>> = {
  category: 'categories',
  tag: 'tags',
  author: 'authors',
}

const below = (path: string, rest: string): string => (path ? `${path}/${rest}` : rest)

/** Document path of the folder of a facet kind's feeds ('categories', 'tags', 'authors'). */
export const facetFolder = (kind: FacetKind): string => FACET_FOLDERS[kind]

/** Document path of a facet's feed, e.g. 'categories/space'. */
export const facetPath = (kind: FacetKind, slug: string): string => `${FACET_FOLDERS[kind]}/${slug}`

/** Document path of a custom feed from the configuration, e.g. 'custom/launches'. */
export const customPath = (slug: string): string => `custom/${slug}`

/** Document path of page `page` (1-based) of a feed: page 1 is the feed itself, others page/N. */
export const pagePath = (feedPath: string, page: number): string =>
  page === 1 ? feedPath : below(feedPath, `page/${page}`)

/**
 * Document path of stable page `n` of a feed (RFC 5005 §3): the n-th block of items counted from
 * the feed's oldest end, e.g. 'tags/nasa/stable/3'. Its items stay in it as the feed grows.
 */
export const stablePagePath = (feedPath: string, n: number): string =>
  below(feedPath, `stable/${n}`)

const OLD_PAGE_URL = /^\/feeds\/(?:(.*)\/)?page\/([1-9]\d{0,5})\/([^/]*)$/

/**
 * A URL path of a positional page (`…/page/N/` and its files, the scheme before stable pages): the
 * feed's document path, the page number and the file asked for ('' for the page for people).
 */
export const oldPageOf = (
  urlPath: string,
): { feedPath: string; page: number; file: string } | undefined => {
  const match = OLD_PAGE_URL.exec(urlPath)
  return match ? { feedPath: match[1] ?? '', page: Number(match[2]), file: match[3]! } : undefined
}

/** URL path of `file` ('' for the page for people) of stable page `n` of a feed. */
export const stablePageUrlPath = (feedPath: string, n: number, file: string): string =>
  `${FEEDS_ROOT}${stablePagePath(feedPath, n)}/${file}`

const STABLE_DOCUMENT = /(?:^|\/)stable\/[1-9]\d*$/

/** Whether a document path is a stable page of a feed ('tags/nasa/stable/3', 'stable/1'). */
export const isStablePagePath = (documentPath: string): boolean =>
  STABLE_DOCUMENT.test(documentPath)

/** The stable page numbers a feed's published URL paths hold (…/stable/N/rss.xml), any order. */
export const stablePagesOf = (feedPath: string, urlPaths: Iterable<string>): number[] => {
  const prefix = `${FEEDS_ROOT}${below(feedPath, 'stable/')}`
  const rss = `/${FEED_FORMATS.rss.file}`
  const pages: number[] = []
  for (const path of urlPaths) {
    if (!path.startsWith(prefix) || !path.endsWith(rss)) continue
    const n = path.slice(prefix.length, path.length - rss.length)
    if (/^[1-9]\d*$/.test(n)) pages.push(Number(n))
  }
  return pages
}

/**
 * Document path of part `part` (1-based, counted from the month's oldest end) of the site's archive
 * of a month: part 1 keeps the month's own path ('2026-11' → archive/2026/11), so that links made
 * before months were cut into parts still answer; later parts live under it (archive/2026/11/2).
 */
export const archivePath = (month: string, part = 1): string =>
  `archive/${month.replace('-', '/')}${part === 1 ? '' : `/${part}`}`

const ARCHIVE_DOCUMENT = /^archive\/(\d{4})\/(\d{2})(?:\/([1-9]\d*))?$/

/** The month and part an archive's document path holds ('archive/2026/11/2'); else undefined. */
export const archivePartOfDocument = (
  documentPath: string,
): { month: string; part: number } | undefined => {
  const match = ARCHIVE_DOCUMENT.exec(documentPath)
  if (!match || match[3] === '1') return undefined
  return { month: `${match[1]}-${match[2]}`, part: match[3] ? Number(match[3]) : 1 }
}

/** The month an archive's document path holds ('archive/2026/11', …/11/2 → '2026-11'); else undefined. */
export const archiveMonthOfDocument = (documentPath: string): string | undefined =>
  archivePartOfDocument(documentPath)?.month

/** URL path of one format of a feed document, e.g. /feeds/categories/space/atom.xml. */
export const feedUrlPath = (documentPath: string, format: FeedFormat): string =>
  `${FEEDS_ROOT}${below(documentPath, FEED_FORMATS[format].file)}`

/** URL path of a feed document's page for people, e.g. /feeds/categories/space/ (index.html). */
export const viewUrlPath = (documentPath: string): string =>
  `${FEEDS_ROOT}${documentPath ? `${documentPath}/` : ''}`

/** The document path a URL path under /feeds/ serves: /feeds/tags/nasa/rss.xml → 'tags/nasa'. */
export const documentPathOf = (urlPath: string): string =>
  urlPath.slice(0, urlPath.lastIndexOf('/')).replace(/^\/feeds\/?/, '')

/** The page for people of a feed document's URL path: /feeds/tags/nasa/rss.xml → /feeds/tags/nasa/. */
export const viewOfUrl = (urlPath: string): string => urlPath.slice(0, urlPath.lastIndexOf('/') + 1)

/** The month of an archive's URL path: '/feeds/archive/2026/11/atom.xml' (or …/11/) → '2026-11'. */
export const archiveMonthOf = (urlPath: string): string | undefined =>
  urlPath.startsWith(ARCHIVE_ROOT) ? archiveMonthOfDocument(documentPathOf(urlPath)) : undefined

const PAGE_SUFFIX = /\/page\/\d+$/

/** The URL path of the same file on page `page` of the feed a URL path belongs to. */
export const pageUrlPath = (urlPath: string, page: number): string => {
  const feedPath = documentPathOf(urlPath).replace(PAGE_SUFFIX, '')
  const file = urlPath.slice(urlPath.lastIndexOf('/') + 1)
  return `${FEEDS_ROOT}${below(pagePath(feedPath, page), file)}`
}

/**
 * A URL path as it goes on the wire (links in feeds and pages, headers): slugs in other scripts
 * percent-encoded as UTF-8 (RFC 3987 §3.1). ASCII slugs are unchanged; routes, outputs and files
 * use the decoded path, which is what Hono gives for a request.
 */
export const onTheWire = (urlPath: string): string => encodeURI(urlPath)

/** The absolute URL of a URL path on the site, as feeds, pages and WebSub topics write it. */
export const siteUrlOf = (siteUrl: string, urlPath: string): string =>
  `${siteUrl}${onTheWire(urlPath)}`

/** The URL path under /feeds/ an absolute URL of the site names (a WebSub topic), decoded. */
export const feedsUrlPathOf = (siteUrl: string, url: string): string | undefined => {
  if (!url.startsWith(`${siteUrl}${FEEDS_ROOT}`)) return undefined
  try {
    return decodeURI(url.slice(siteUrl.length))
  } catch {
    return undefined
  }
}

/** The site feed's URL in each format. */
export const siteFeedUrls = (siteUrl: string): Record<FeedFormat, string> =>
  Object.fromEntries(
    FORMAT_NAMES.map((format) => [format, `${siteUrl}${feedUrlPath(SITE_PATH, format)}`]),
  ) as Record<FeedFormat, string>

// A page for people is a folder's index.html, as static hosts serve a folder; the index page is
// home.html, since feeds/index.html is already the site feed's page.
const VIEW_FILE = 'index.html'
const HOME_FILE = 'home.html'

/** The compressed forms written beside a file (what nginx's gzip_static and brotli_static serve). */
export const COMPRESSED_SUFFIXES = ['.gz', '.br'] as const

/** Names of the files of published documents under feeds/: each format and the page for people. */
export const DOCUMENT_FILE_NAMES: readonly string[] = [
  ...FORMAT_NAMES.map((format) => FEED_FORMATS[format].file),
  VIEW_FILE,
]

/** What the feeds/ folder holds: those files and their compressed forms. */
export const FEEDS_DIR_FILE_NAMES: readonly string[] = DOCUMENT_FILE_NAMES.flatMap((name) => [
  name,
  ...COMPRESSED_SUFFIXES.map((suffix) => `${name}${suffix}`),
])

/**
 * The file of an output, relative to feeds/: /feeds/tags/nasa/rss.xml → tags/nasa/rss.xml, a
 * page for people /feeds/tags/nasa/ → tags/nasa/index.html, and the index page / → home.html.
 */
export const fileOf = (urlPath: string): string =>
  urlPath === INDEX_PATH
    ? HOME_FILE
    : urlPath.replace(/^\/feeds\//, '') + (urlPath.endsWith('/') ? VIEW_FILE : '')

/** The URL path of a file under feeds/ (relative, '/'-separated): tags/nasa/index.html → /feeds/tags/nasa/. */
export const urlPathOfFile = (file: string): string =>
  `${FEEDS_ROOT}${file}`.replace(/(^|\/)index\.html$/, '$1')

/** The URL path a file's URL path serves, its compressed forms included: /feeds/x/index.html.gz → /feeds/x/. */
export const servedPath = (urlPath: string): string =>
  urlPath.replace(/\.(?:gz|br)$/, '').replace(/(^|\/)index\.html$/, '$1')
