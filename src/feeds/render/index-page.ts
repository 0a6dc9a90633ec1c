// The HTML index of the site's feeds, rendered at build time like the feeds themselves; pure.
import { headlineOf } from '../../articles/headline.js'
import type { Article } from '../../articles/schema.js'
import type { SiteConfig } from '../../config.js'
import { textToAttr as attr, textToHtml } from '../../lib/html-text.js'
import type { ArchiveMonth } from '../../store/store.js'
import { type FeedDefinition, feedUrlPath, onTheWire, viewUrlPath } from '../catalog.js'
import { archivePath } from '../history.js'
import { alternateLinks } from './alternate-links.js'
import { OPML_PATH } from './opml.js'
import { FEED_FORMATS, type FeedFormat, FORMAT_NAMES } from '../formats.js'

export interface IndexPageInput {
  site: SiteConfig
  catalog: readonly FeedDefinition[]
  /** Newest first. */
  latest: readonly Article[]
  /** The months of the site's archive, oldest first; none when archives are off. */
  months?: readonly ArchiveMonth[]
}

const GROUPS: ReadonlyArray<[string, string]> = [
  ['custom', 'Selections'],
  ['category', 'Categories'],
  ['tag', 'Tags'],
  ['author', 'Authors'],
]

// Attribute values need the double quote escaped as well.

const feedLinks = (site: SiteConfig, definition: FeedDefinition): string =>
  FORMAT_NAMES.map((format) => {
    const url = `${site.url}${onTheWire(feedUrlPath(definition.path, format))}`
    return `<a href="${attr(url)}" type="${attr(FEED_FORMATS[format].contentType.split(';')[0]!)}">${FEED_FORMATS[format].label}</a>`
  }).join(' · ')

const section = (site: SiteConfig, title: string, feeds: readonly FeedDefinition[]): string =>
  feeds.length === 0
    ? ''
    : `<section><h2>${title}</h2><ul>${feeds
        .map(
          (d) =>
            `<li><a href="${attr(onTheWire(viewUrlPath(d.path)))}">${textToHtml(d.title)}</a> ` +
            `${feedLinks(site, d)}</li>`,
        )
        .join('')}</ul></section>`

/** The page: autodiscovery links for the site feed, every feed's URLs, and the latest articles. */
/** Links to each month's archive page, newest first (root-relative, like the pages' own links). */
const archiveSection = (months: readonly ArchiveMonth[]): string =>
  months.length === 0
    ? ''
    : `<section><h2>Archive</h2><p>Every article, one month at a time (also as feeds, for readers that backfill).</p><ul>${[
        ...months,
      ]
        .reverse()
        .map(
          (m) =>
            `<li><a href="${attr(viewUrlPath(archivePath(m.month)))}">${m.month}</a> ` +
            `(${m.count} ${m.count === 1 ? 'article' : 'articles'})</li>`,
        )
        .join('')}</ul></section>`

/** The site feed's URL in each format. */
export const siteFeedUrls = (site: Pick<SiteConfig, 'url'>): Record<FeedFormat, string> =>
  Object.fromEntries(
    FORMAT_NAMES.map((format) => [format, `${site.url}${feedUrlPath('', format)}`]),
  ) as Record<FeedFormat, string>

export const renderIndexPage = ({ site, catalog, latest, months = [] }: IndexPageInput): string => {
  const siteFeed = catalog.find((d) => d.key === 'site')!
  const discovery = alternateLinks(site.title, siteFeedUrls(site))
  const articles = latest
    .map(
      (a) =>
        `<li><a href="${attr(a.url)}">${textToHtml(headlineOf(a))}</a> ` +
        `<time datetime="${a.publishedAt}">${a.publishedAt.slice(0, 10)}</time>` +
        `${a.summary ? `<p>${textToHtml(a.summary)}</p>` : ''}</li>`,
    )
    .join('')
  return `<!doctype html>
<html lang="${attr(site.language)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${textToHtml(site.title)}: feeds</title>
${discovery}
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem}li{margin:.4rem 0}time{color:#666;margin-left:.4rem}li p{margin:.2rem 0 0;color:#333}</style>
</head>
<body>
<h1>${textToHtml(site.title)}</h1>
<p>${textToHtml(site.description)}</p>
<section><h2>Subscribe</h2><p>Copy a feed URL into your feed reader. Whole site: ${feedLinks(site, siteFeed)}</p>
<p>Every feed at once (${catalog.length}), for a reader's import: <a href="${attr(`${site.url}${OPML_PATH}`)}" type="text/x-opml">OPML</a></p></section>
<section><h2>Latest articles</h2><ol>${articles}</ol></section>
${GROUPS.map(([kind, title]) =>
  section(
    site,
    title,
    catalog.filter((d) => d.selection.kind === kind),
  ),
).join('\n')}
${archiveSection(months)}
</body>
</html>
`
}
