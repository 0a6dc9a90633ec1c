// The format-neutral feed model: built from store rows by a pure, deterministic function.
import type { Article, Author, Enclosure, Image } from '../articles/schema.js'
import type { SiteConfig } from '../config.js'
import type { Deletion, IdScheme } from '../store/store.js'
import { laterOf } from '../lib/dates.js'
import { slugify } from '../lib/slug.js'
import type { FeedDefinition } from './catalog.js'
import { type FeedFormat, FORMAT_NAMES } from './formats.js'
import { feedId, itemId } from './ids.js'
import type { FeedDocument, LinkedDocument } from './history.js'
import { facetFolder, feedUrlPath, siteUrlOf, viewUrlPath } from './paths.js'

export const GENERATOR = 'feedwright'

/** A category or tag on an item; `scheme` is the URL of the folder of such feeds. */
export interface ItemCategory {
  label: string
  slug: string
  scheme: string
}

export interface FeedItem {
  /** Stable forever: from the store's id scheme and the article id, never title or position. */
  id: string
  url: string
  /** A link post has no body, a short post no title: each renderer gives its format what it needs. */
  title?: string
  summary?: string
  contentHtml?: string
  authors: readonly Author[]
  categories: readonly ItemCategory[]
  published: Date
  updated: Date
  image?: Image
  enclosures: readonly Enclosure[]
  language?: string
}

export interface FeedModel {
  key: string
  /** This document's path under /feeds/ (the feed's own path for its first page). */
  path: string
  /** Stable id of the feed itself (Atom <id>), independent of format. */
  id: string
  title: string
  description: string
  language: string
  copyright?: string
  generator: string
  /** RSS <ttl>: minutes a reader may cache the feed (the build schedule's period). */
  ttlMinutes?: number
  /** The site's home page. */
  home: string
  /** Self URL per format. */
  links: Readonly<Record<FeedFormat, string>>
  /** RFC 5005 links to the feed's other pages and archives, with their URL per format. */
  history: readonly LinkedDocument[]
  /** An RFC 5005 archive document (fh:archive). */
  archive: boolean
  /** The WebSub hub the feed advertises (rel="hub"). */
  hub?: string
  /** Newest item update or deletion in this feed; never the clock, so output is reproducible. */
  updated: Date
  items: readonly FeedItem[]
  /** Recently deleted items (Atom tombstones, RFC 6721), newest first. */
  deletions: readonly { id: string; when: Date }[]
}

export interface ModelInput {
  site: SiteConfig
  /** The store's id scheme (see feeds/ids.ts). */
  ids: IdScheme
  definition: FeedDefinition
  /** Newest first, as the store returns them. */
  articles: readonly Article[]
  /** Latest deletions from this feed's selection, newest first; the first moves `updated`. */
  deletions?: readonly Deletion[]
  ttlMinutes?: number
  /** Which document of the feed this is (a page or an archive); the subscription page if absent. */
  document?: FeedDocument
  hub?: string
}

// Tombstones stay in a feed this long after the feed's last change, which is long enough for any
// aggregator that polls at all, and keeps the document small.
const TOMBSTONE_DAYS = 30

// With no items and no deletions nothing ever changed: the epoch is the honest, stable answer.
const NEVER = '1970-01-01T00:00:00.000Z'

const toItem = (site: SiteConfig, ids: IdScheme, article: Article): FeedItem => {
  const categories = (kind: 'category' | 'tag', labels: readonly string[]) =>
    labels.map((label) => ({
      label,
      slug: slugify(label),
      scheme: siteUrlOf(site.url, viewUrlPath(facetFolder(kind))),
    }))
  return {
    id: itemId(ids, article.id),
    url: article.url,
    ...(article.title !== undefined && { title: article.title }),
    ...(article.summary !== undefined && { summary: article.summary }),
    ...(article.contentHtml !== undefined && { contentHtml: article.contentHtml }),
    authors: article.authors,
    categories: [...categories('category', article.categories), ...categories('tag', article.tags)],
    published: new Date(article.publishedAt),
    updated: new Date(article.updatedAt),
    ...(article.image && { image: article.image }),
    enclosures: article.enclosures,
    ...(article.language && { language: article.language }),
  }
}

/** Builds the model of one feed. Pure: the same input always gives the same model. */
export const toFeedModel = ({
  site,
  ids,
  definition,
  articles,
  deletions = [],
  ttlMinutes,
  document = { path: definition.path, links: [], archive: false },
  hub,
}: ModelInput): FeedModel => {
  const newestUpdate = articles.reduce<string | undefined>(
    (latest, a) => laterOf(latest, a.updatedAt),
    undefined,
  )
  const urlsOf = (path: string) =>
    Object.fromEntries(
      FORMAT_NAMES.map((format) => [format, siteUrlOf(site.url, feedUrlPath(path, format))]),
    ) as Record<FeedFormat, string>
  const updated = new Date(laterOf(newestUpdate, deletions[0]?.deletedAt) ?? NEVER)
  const keepSince = new Date(updated.getTime() - TOMBSTONE_DAYS * 86_400_000).toISOString()
  return {
    key: definition.key,
    path: document.path,
    id: feedId(ids, definition.path),
    title: definition.title,
    description: definition.description,
    language: site.language,
    ...(site.copyright && { copyright: site.copyright }),
    generator: GENERATOR,
    ...(ttlMinutes !== undefined && { ttlMinutes }),
    home: `${site.url}/`,
    links: urlsOf(document.path),
    history: document.links.map((link) => ({ ...link, links: urlsOf(link.path) })),
    archive: document.archive,
    ...(hub && { hub }),
    updated,
    items: articles.map((article) => toItem(site, ids, article)),
    deletions: deletions
      .filter((d) => d.deletedAt >= keepSince)
      .map((d) => ({ id: itemId(ids, d.id), when: new Date(d.deletedAt) })),
  }
}
