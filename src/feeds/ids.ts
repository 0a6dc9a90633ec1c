// Item and feed ids from the store's id scheme: fixed at the first build, whatever SITE_URL becomes.
import type { IdScheme } from '../store/store.js'

/**
 * The schemes a first build proposes: RFC 4151 §2.1 `tag:` with the site's host as authority and
 * the day of that build as date (UTC), or, for a store that already published URL ids, the current
 * site URL they were made from.
 */
export const proposeIdScheme = (
  siteUrl: string,
  now: Date,
): { fresh: IdScheme; legacy: IdScheme } => ({
  fresh: {
    kind: 'tag',
    authority: new URL(siteUrl).hostname,
    date: now.toISOString().slice(0, 10),
  },
  legacy: { kind: 'url', base: siteUrl },
})

/** A stable id for `specific` (`articles/<id>`, `feeds/<path>`) under the scheme. */
const mint = (ids: IdScheme, specific: string): string =>
  ids.kind === 'tag' ? `tag:${ids.authority},${ids.date}:${specific}` : `${ids.base}/${specific}`

/** An item's id (Atom id, RSS guid, JSON Feed id): from the article id, never title or position. */
export const itemId = (ids: IdScheme, articleId: string): string =>
  mint(ids, `articles/${articleId}`)

/** A feed's own id (Atom feed id): one per feed, the same for each of its documents. */
export const feedId = (ids: IdScheme, feedPath: string): string =>
  mint(ids, `feeds/${feedPath}`.replace(/\/$/, ''))
