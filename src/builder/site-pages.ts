// The site's own pages beside the feeds: the HTML index (every feed, the latest articles) and the
// OPML list of every feed, checked by parsing it back like the feeds. Made after the feeds, when any
// output changed or either page is missing.
import type { Article } from '../articles/schema.js'
import type { SiteConfig } from '../config.js'
import type { FeedDefinition } from '../feeds/catalog.js'
import type { Problem } from '../feeds/check/index.js'
import { checkOpml } from '../feeds/check/opml.js'
import { renderIndexPage } from '../feeds/render/index-page.js'
import { INDEX_PATH, OPML_PATH } from '../feeds/paths.js'
import { opmlFeedUrl, renderOpml } from '../feeds/render/opml.js'
import type { PublishedOutputs, RenderedOutput } from '../publish/outputs.js'
import type { ArchiveMonth, ArticleStore } from '../store/store.js'
import { encode } from './produce.js'
import type { Publisher } from './publisher.js'
import type { Tally } from './report.js'

const INDEX_ARTICLES = 20
const NEVER = '1970-01-01T00:00:00.000Z'

/** The URL paths of the site's pages: a build keeps them whatever it takes down. */
export const SITE_PAGES: readonly string[] = [INDEX_PATH, OPML_PATH]

export interface SitePagesInput {
  site: SiteConfig
  catalog: readonly FeedDefinition[]
  /** The latest articles of the site, newest first. */
  latest: readonly Article[]
  months: readonly ArchiveMonth[]
}

/** The index page, and the OPML list or why it cannot be published; no I/O. */
export const produceSitePages = (
  { site, catalog, latest, months }: SitePagesInput,
  timings: { encodeMs: number },
): { index: RenderedOutput; opml: RenderedOutput | { problems: Problem[] } } => {
  const newest = latest.reduce((d, a) => (a.updatedAt > d ? a.updatedAt : d), NEVER)
  const updated = new Date(newest)
  const page = renderIndexPage({ site, catalog, latest, months })
  const fields = { urlPath: INDEX_PATH, feedKey: 'index', format: 'html' as const, updated }
  const index = encode({ ...fields, text: page }, timings)
  const text = renderOpml(site, catalog)
  const problems = checkOpml(
    text,
    catalog.map((d) => opmlFeedUrl(site, d)),
  )
  if (problems.length > 0) return { index, opml: { problems } }
  const opml = { urlPath: OPML_PATH, feedKey: 'opml', format: 'opml' as const, text, updated }
  return { index, opml: encode(opml, timings) }
}

/** Whether the site's pages are made this build: something changed, or either is missing. */
export const sitePagesDue = (outputs: PublishedOutputs, tally: Tally, removed: number): boolean =>
  tally.published.length + tally.shelved.length > 0 ||
  removed > 0 ||
  !outputs.get(INDEX_PATH) ||
  !outputs.get(OPML_PATH)

/** Reads the latest articles, then produces and publishes the index page and the OPML list. */
export const publishSitePages = async (
  input: Omit<SitePagesInput, 'latest'> & { store: ArticleStore; publisher: Publisher },
  tally: Tally,
): Promise<void> => {
  const latest = await input.store.newestFor({ kind: 'site' }, INDEX_ARTICLES)
  const timings = { encodeMs: 0 }
  const { index, opml } = produceSitePages({ ...input, latest }, timings)
  tally.timings.publishMs += timings.encodeMs
  await input.publisher.publishOutput(index, tally)
  if ('problems' in opml) {
    for (const p of opml.problems) tally.failures.push({ feed: OPML_PATH, ...p })
    return
  }
  await input.publisher.publishOutput(opml, tally)
}
