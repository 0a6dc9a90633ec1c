// The feeds to build, as data: the site feed and one per category, tag and author.
import type { SiteConfig } from '../config.js'
import type { Facet, FacetKind, Selection } from '../store/store.js'
import { selectionKey } from '../store/store.js'
import { FEED_FORMATS, type FeedFormat } from './formats.js'

/** One feed, independent of format: where it lives, what it selects, what it is called. */
export interface FeedDefinition {
  /** selectionKey of the selection: 'site', 'category:space', … */
  key: string
  /** URL path under /feeds/, without the file name: '' for the site, 'categories/space', … */
  path: string
  selection: Selection
  title: string
  description: string
}

const FOLDERS: Readonly<Record<FacetKind, string>> = {
  category: 'categories',
  tag: 'tags',
  author: 'authors',
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

/** Folder of a facet kind under /feeds/ ('categories', 'tags', 'authors'). */
export const folderOf = (kind: FacetKind): string => FOLDERS[kind]

/** Every feed to publish, site first, then facets in the store's (kind, slug) order. */
export const buildCatalog = (site: SiteConfig, facets: readonly Facet[]): FeedDefinition[] => [
  {
    key: 'site',
    path: '',
    selection: { kind: 'site' },
    title: site.title,
    description: site.description,
  },
  ...facets.map((facet) => {
    const selection: Selection = { kind: facet.kind, slug: facet.slug }
    return {
      key: selectionKey(selection),
      path: `${FOLDERS[facet.kind]}/${facet.slug}`,
      selection,
      ...describe(site, facet),
    }
  }),
]

/** URL path of one format of a feed, e.g. /feeds/categories/space/atom.xml. */
export const feedUrlPath = (path: string, format: FeedFormat): string =>
  `/feeds/${path ? `${path}/` : ''}${FEED_FORMATS[format].file}`
