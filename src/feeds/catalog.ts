// The feeds to build, as data: the site feed, one per category, tag and author, and custom feeds.
import type { CustomFeedConfig, SiteConfig } from '../config.js'
import { slugify } from '../lib/slug.js'
import type { Facet, FacetKind, Selection } from '../store/store.js'
import { selectionKey } from '../store/store.js'
import { customPath, facetPath, SITE_PATH } from './paths.js'

type FacetSelection = Extract<Selection, { kind: FacetKind }>

/** A configured feed: articles under any of `include`, except those under any of `exclude`. */
export interface CustomSelection {
  kind: 'custom'
  include: readonly FacetSelection[]
  exclude: readonly FacetSelection[]
}

export type FeedSelection = Selection | CustomSelection

/** One feed, independent of format: where it lives, what it selects, what it is called. */
export interface FeedDefinition {
  /** 'site', 'category:space', …, 'custom:<slug>' */
  key: string
  /** URL path under /feeds/, without the file name: '' for the site, 'categories/space', … */
  path: string
  selection: FeedSelection
  /** Keys of the store selections whose changes this feed must follow. */
  watches: readonly string[]
  title: string
  description: string
}

const describe = (site: SiteConfig, facet: Facet): { title: string; description: string } => {
  switch (facet.kind) {
    case 'category':
      return {
        title: `${site.title}: ${facet.label}`,
        description: `Articles in ${facet.label} from ${site.title}`,
      }
    case 'tag':
      return {
        title: `${site.title}: #${facet.label}`,
        description: `Articles tagged ${facet.label} on ${site.title}`,
      }
    case 'author':
      return {
        title: `${site.title}: ${facet.label}`,
        description: `Articles by ${facet.label} on ${site.title}`,
      }
  }
}

const facetSelections = (choice: CustomFeedConfig['include']): FacetSelection[] => [
  ...choice.categories.map((name) => ({ kind: 'category' as const, slug: slugify(name) })),
  ...choice.tags.map((name) => ({ kind: 'tag' as const, slug: slugify(name) })),
  ...choice.authors.map((name) => ({ kind: 'author' as const, slug: slugify(name) })),
]

const customDefinition = (feed: CustomFeedConfig): FeedDefinition => {
  const include = facetSelections(feed.include)
  const exclude = facetSelections(feed.exclude)
  return {
    key: `custom:${feed.slug}`,
    path: customPath(feed.slug),
    selection: { kind: 'custom', include, exclude },
    watches: [...include, ...exclude].map(selectionKey),
    title: feed.title,
    description: feed.description,
  }
}

/** Every feed to publish: site, facets in the store's (kind, slug) order, then custom feeds. */
export const buildCatalog = (
  site: SiteConfig,
  facets: readonly Facet[],
  custom: readonly CustomFeedConfig[] = [],
): FeedDefinition[] => [
  {
    key: 'site',
    path: SITE_PATH,
    selection: { kind: 'site' },
    watches: ['site'],
    title: site.title,
    description: site.description,
  },
  ...facets.map((facet) => {
    const selection: Selection = { kind: facet.kind, slug: facet.slug }
    const key = selectionKey(selection)
    return {
      key,
      path: facetPath(facet.kind, facet.slug),
      selection,
      watches: [key],
      ...describe(site, facet),
    }
  }),
  ...custom.map(customDefinition),
]
