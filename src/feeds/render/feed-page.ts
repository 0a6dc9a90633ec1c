// The page a person sees on opening a feed URL in a browser: what the feed is, how to subscribe,
// its items, and the way to its other pages. Rendered at build time from the same model; pure.
import { headlineOf } from '../../articles/headline.js'
import { textToAttr as attr, textToHtml } from '../../lib/html-text.js'
import { alternateLinks } from './alternate-links.js'
import { FEED_FORMATS, FORMAT_NAMES } from '../formats.js'
import type { HistoryRel } from '../history.js'
import type { FeedItem, FeedModel } from '../model.js'
import { archiveMonthOfDocument, onTheWire, viewUrlPath } from '../paths.js'

const NAV_LABELS: ReadonlyArray<[HistoryRel, string]> = [
  ['current', 'Current feed'],
  ['first', 'Newest'],
  ['previous', '← Newer'],
  ['next', 'Older →'],
  ['last', 'Oldest page'],
  ['next-archive', '← Next month'],
  ['prev-archive', 'Archive: previous month →'],
]

const itemHtml = (item: FeedItem): string => {
  const authors = item.authors.map((a) => textToHtml(a.name)).join(', ')
  const date = item.published.toISOString()
  return (
    `<li><h3><a href="${attr(item.url)}">${textToHtml(headlineOf(item))}</a></h3>` +
    `<p class="meta"><time datetime="${date}">${date.slice(0, 10)}</time>` +
    `${authors ? ` · ${authors}` : ''}</p>${item.summary ? `<p>${textToHtml(item.summary)}</p>` : ''}</li>`
  )
}

// Month names by language: making a DateTimeFormat costs more than the rest of a page's header,
// and a first archive build names thousands of months in the one language of the site.
const monthNames = new Map<string, Intl.DateTimeFormat>()

const monthNameIn = (language: string): Intl.DateTimeFormat => {
  let format = monthNames.get(language)
  if (!format) {
    format = new Intl.DateTimeFormat(language, { month: 'long', year: 'numeric', timeZone: 'UTC' })
    monthNames.set(language, format)
  }
  return format
}

/** The month an archive document holds, named in the feed's language ("September 2026"). */
const archiveMonth = (model: FeedModel): string | undefined => {
  const [year, month] = archiveMonthOfDocument(model.path)?.split('-') ?? []
  if (!year || !month) return undefined
  return monthNameIn(model.language).format(new Date(Date.UTC(Number(year), Number(month) - 1, 1)))
}

/** The HTML page of one feed document. */
export const renderFeedPage = (model: FeedModel): string => {
  const discovery = alternateLinks(model.title, model.links)
  // Older pages and archives are read, not subscribed to: offer the feed's own URLs.
  const feed = model.history.find((l) => l.rel === 'first' || l.rel === 'current')
  const feedLinks = model.archive || (feed && feed.path !== model.path) ? feed?.links : undefined
  const subscribe = FORMAT_NAMES.map(
    (format) =>
      `<li><label>${FEED_FORMATS[format].label} <input readonly value="${attr((feedLinks ?? model.links)[format])}" ` +
      `aria-label="${attr(`${FEED_FORMATS[format].label} feed URL`)}"></label></li>`,
  ).join('')
  // Root-relative, so that the pages link to each other wherever they are served.
  const nav = NAV_LABELS.flatMap(([rel, label]) => {
    const link = model.history.find((l) => l.rel === rel)
    return link
      ? [`<a rel="${rel}" href="${attr(onTheWire(viewUrlPath(link.path)))}">${label}</a>`]
      : []
  }).join(' ')
  const month = model.archive ? archiveMonth(model) : undefined
  const kind = model.archive
    ? `the archive of ${month ?? 'one month'}`
    : feedLinks
      ? 'an older page of a web feed'
      : 'a web feed'
  const title = month ? `${model.title}: ${month}` : model.title
  const about = model.archive
    ? `It holds the articles published in ${month ?? 'that month'} (UTC) and does not change: new articles go to the current feed. To follow them, copy one of the feed's URLs into your feed reader (any of them works; RSS is the most widely supported):`
    : feedLinks
      ? 'It holds older articles of the feed. To follow new articles, copy one of the feed’s URLs into your feed reader (any of them works; RSS is the most widely supported):'
      : 'Feed readers and news apps fetch this address to show you new articles as they are published. To subscribe, copy one of these URLs into your feed reader (any of them works; RSS is the most widely supported):'
  return `<!doctype html>
<html lang="${attr(model.language)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${textToHtml(title)}</title>
${discovery}
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;color:#222}.about{background:#fff8e1;border:1px solid #f0d98c;border-radius:6px;padding:.8rem 1rem}.about ul{list-style:none;padding:0}input{width:100%;font:inherit;font-size:.9rem;padding:.2rem}ol{padding-left:1.2rem}h3{margin:.2rem 0;font-size:1.1rem}.meta{color:#666;margin:0;font-size:.9rem}nav a{margin-right:1rem}</style>
</head>
<body>
<header>
<p><a href="${attr(model.home)}">${textToHtml(model.home)}</a></p>
<h1>${textToHtml(title)}</h1>
<p>${textToHtml(model.description)}</p>
</header>
<section class="about">
<h2>This is ${kind}</h2>
<p>${textToHtml(about)}</p>
<ul>${subscribe}</ul>
</section>
<main>
<h2>${model.items.length} ${model.items.length === 1 ? 'article' : 'articles'}</h2>
<ol>${model.items.map(itemHtml).join('')}</ol>
</main>
${nav ? `<nav>${nav}</nav>` : ''}
</body>
</html>
`
}
