// The model of the site's HTML index: every feed with its URLs, the latest articles, the archive's
// months. Built from the catalog and store rows by a pure function, so the page renders from data
// that holds no rows, configuration or paths of its own.
import { headlineOf } from '../articles/headline.js'
import type { Article } from '../articles/schema.js'
import type { SiteConfig } from '../config.js'
import type { ArchiveMonth } from '../store/store.js'
import type { FeedDefinition } from './catalog.js'
import { FEED_FORMATS, FORMAT_NAMES, mediaTypeOf } from './formats.js'
import {
  archivePath,
  feedUrlPath,
  OPML_PATH,
  onTheWire,
  siteFeedUrls,
  siteUrlOf,
  viewUrlPath,
} from './paths.js'

export interface IndexPageInput {
  site: SiteConfig
  catalog: readonly FeedDefinition[]
  /** Newest first. */
  latest: readonly Article[]
  /** The months of the site's archive, oldest first; none when archives are off. */
  months?: readonly ArchiveMonth[]
}

/** A feed's URL in one format, with what a link to it says. */
export interface FormatLink {
  url: string
  mediaType: string
  label: string
}

export interface IndexFeed {
  title: string
  /** Its page for people, root-relative and on the wire. */
  view: string
  links: readonly FormatLink[]
}

export interface IndexPage {
  language: string
  title: string
  description: string
  /** The site feed's URL per format, for the autodiscovery tags. */
  discovery: ReturnType<typeof siteFeedUrls>
  siteFeed: IndexFeed
  opmlUrl: string
  feedCount: number
  latest: readonly { url: string; headline: string; publishedAt: string; summary?: string }[]
  /** The other feeds by kind, in the order the page lists them; empty groups included. */
  groups: readonly { title: string; feeds: readonly IndexFeed[] }[]
  /** Newest first, each with its page for people (root-relative). */
  archive: readonly { month: string; count: number; view: string }[]
}

const GROUPS: ReadonlyArray<[FeedDefinition['selection']['kind'], string]> = [
  ['custom', 'Selections'],
  ['category', 'Categories'],
  ['tag', 'Tags'],
  ['author', 'Authors'],
]

const indexFeed = (site: SiteConfig, definition: FeedDefinition): IndexFeed => ({
  title: definition.title,
  view: onTheWire(viewUrlPath(definition.path)),
  links: FORMAT_NAMES.map((format) => ({
    url: siteUrlOf(site.url, feedUrlPath(definition.path, format)),
    mediaType: mediaTypeOf(format),
    label: FEED_FORMATS[format].label,
  })),
})

/** The index page's model. Pure: the same input always gives the same model. */
export const indexPageModel = ({
  site,
  catalog,
  latest,
  months = [],
}: IndexPageInput): IndexPage => ({
  language: site.language,
  title: site.title,
  description: site.description,
  discovery: siteFeedUrls(site.url),
  siteFeed: indexFeed(
    site,
    catalog.find((d) => d.key === 'site')!,
  ),
  opmlUrl: `${site.url}${OPML_PATH}`,
  feedCount: catalog.length,
  latest: latest.map((a) => ({
    url: a.url,
    headline: headlineOf(a),
    publishedAt: a.publishedAt,
    ...(a.summary && { summary: a.summary }),
  })),
  groups: GROUPS.map(([kind, title]) => ({
    title,
    feeds: catalog.filter((d) => d.selection.kind === kind).map((d) => indexFeed(site, d)),
  })),
  archive: [...months].reverse().map((m) => ({
    month: m.month,
    count: m.count,
    view: viewUrlPath(archivePath(m.month)),
  })),
})
