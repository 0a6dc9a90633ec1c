// The OPML 2.0 subscription list of every feed the site publishes (/feeds.opml), so that a reader
// imports them all at once; pure, rendered by each build beside the index page.
import type { SiteConfig } from '../../config.js'
import { textToAttr as attr } from '../../lib/html-text.js'
import type { FeedDefinition } from '../catalog.js'
import { feedUrlPath, siteUrlOf, viewUrlPath } from '../paths.js'

/** One format per feed: a reader subscribing to all three would show every article three times. */
export const OPML_FORMAT = 'rss'

const GROUPS: ReadonlyArray<[FeedDefinition['selection']['kind'], string]> = [
  ['custom', 'Selections'],
  ['category', 'Categories'],
  ['tag', 'Tags'],
  ['author', 'Authors'],
]

/** The feed URL each definition is listed with (percent-encoded, as feeds link themselves). */
export const opmlFeedUrl = (site: SiteConfig, definition: FeedDefinition): string =>
  siteUrlOf(site.url, feedUrlPath(definition.path, OPML_FORMAT))

// OPML 2.0 "Subscription lists": type, text and xmlUrl are required on each feed's outline.
const outline = (site: SiteConfig, d: FeedDefinition, indent: string): string =>
  `${indent}<outline type="rss" text="${attr(d.title)}" title="${attr(d.title)}" ` +
  `description="${attr(d.description)}" xmlUrl="${attr(opmlFeedUrl(site, d))}" ` +
  `htmlUrl="${attr(siteUrlOf(site.url, viewUrlPath(d.path)))}" language="${attr(site.language)}"/>`

/** The document; no dates in it, so the same catalog always gives the same bytes. */
export const renderOpml = (site: SiteConfig, catalog: readonly FeedDefinition[]): string => {
  const siteFeeds = catalog.filter((d) => d.selection.kind === 'site')
  const groups = GROUPS.map(([kind, label]) => {
    const feeds = catalog.filter((d) => d.selection.kind === kind)
    return feeds.length === 0
      ? ''
      : `    <outline text="${attr(label)}">\n${feeds.map((d) => outline(site, d, '      ')).join('\n')}\n    </outline>\n`
  }).join('')
  return `<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0">
  <head>
    <title>${attr(`${site.title}: all feeds`)}</title>
  </head>
  <body>
${siteFeeds.map((d) => `${outline(site, d, '    ')}\n`).join('')}${groups}  </body>
</opml>
`
}
