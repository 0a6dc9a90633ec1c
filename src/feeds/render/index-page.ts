// The HTML index of the site's feeds, rendered at build time like the feeds themselves; pure: it
// writes the page from its model (feeds/site-index.ts) and knows no rows, paths or configuration.
import { textToAttr as attr, textToHtml } from '../../lib/html-text.js'
import {
  type IndexFeed,
  type IndexPage,
  type IndexPageInput,
  indexPageModel,
} from '../site-index.js'
import { alternateLinks } from './alternate-links.js'

const feedLinks = (feed: IndexFeed): string =>
  feed.links
    .map((l) => `<a href="${attr(l.url)}" type="${attr(l.mediaType)}">${l.label}</a>`)
    .join(' · ')

const section = (title: string, feeds: readonly IndexFeed[]): string =>
  feeds.length === 0
    ? ''
    : `<section><h2>${title}</h2><ul>${feeds
        .map((f) => `<li><a href="${attr(f.view)}">${textToHtml(f.title)}</a> ${feedLinks(f)}</li>`)
        .join('')}</ul></section>`

/** Links to each month's archive page, newest first (root-relative, like the pages' own links). */
const archiveSection = (archive: IndexPage['archive']): string =>
  archive.length === 0
    ? ''
    : `<section><h2>Archive</h2><p>Every article, one month at a time (also as feeds, for readers that backfill).</p><ul>${archive
        .map(
          (m) =>
            `<li><a href="${attr(m.view)}">${m.month}</a> ` +
            `(${m.count} ${m.count === 1 ? 'article' : 'articles'})</li>`,
        )
        .join('')}</ul></section>`

const latestArticles = (latest: IndexPage['latest']): string =>
  latest
    .map(
      (a) =>
        `<li><a href="${attr(a.url)}">${textToHtml(a.headline)}</a> ` +
        `<time datetime="${a.publishedAt}">${a.publishedAt.slice(0, 10)}</time>` +
        `${a.summary ? `<p>${textToHtml(a.summary)}</p>` : ''}</li>`,
    )
    .join('')

/** The page: autodiscovery links for the site feed, every feed's URLs, and the latest articles. */
export const renderIndexModel = (page: IndexPage): string => `<!doctype html>
<html lang="${attr(page.language)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${textToHtml(page.title)}: feeds</title>
${alternateLinks(page.title, page.discovery)}
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem}li{margin:.4rem 0}time{color:#666;margin-left:.4rem}li p{margin:.2rem 0 0;color:#333}</style>
</head>
<body>
<h1>${textToHtml(page.title)}</h1>
<p>${textToHtml(page.description)}</p>
<section><h2>Subscribe</h2><p>Copy a feed URL into your feed reader. Whole site: ${feedLinks(page.siteFeed)}</p>
<p>Every feed at once (${page.feedCount}), for a reader's import: <a href="${attr(page.opmlUrl)}" type="text/x-opml">OPML</a></p></section>
<section><h2>Latest articles</h2><ol>${latestArticles(page.latest)}</ol></section>
${page.groups.map((g) => section(g.title, g.feeds)).join('\n')}
${archiveSection(page.archive)}
</body>
</html>
`

/** The page of the catalog, the latest articles and the archive's months: its model, rendered. */
export const renderIndexPage = (input: IndexPageInput): string =>
  renderIndexModel(indexPageModel(input))
