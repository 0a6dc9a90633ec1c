// One foreign entry → the article input it becomes, or why it cannot: the import's rules (links,
// undated items, link posts, authors, files, labels, bounds), each loss or decision reported.
import { LIMITS } from '../articles/schema.js'
import { isHttpUrl } from '../lib/urls.js'
import { strongEtag } from '../lib/hash.js'
import { shorten } from '../lib/html-text.js'
import { slugify } from '../lib/slug.js'
import type { ForeignAuthor, ForeignEntry, ForeignFeed, ForeignMedia } from './foreign.js'

/** A stable slug id from the entry's own id: the same entry always maps to the same article. */
export const importedId = (sourceId: string): string => {
  const slug = slugify(sourceId.replace(/^https?:\/\/(www\.)?/, ''))
  const hash = strongEtag(sourceId)
    .slice(1, 9)
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '0')
  return slug.length > 0 && slug.length <= 100
    ? slug
    : `${slug.slice(0, 90).replace(/-+$/, '')}-${hash}`
}

const toIso = (value: string | undefined): string | undefined => {
  if (!value) return undefined
  const time = Date.parse(value)
  return Number.isNaN(time) ? undefined : new Date(time).toISOString()
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/
const MEDIA_TYPE = /^[a-z0-9][a-z0-9!#$&^_.+-]{0,126}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}$/i
const LANGUAGE = /^[a-z]{2,3}(-[a-z0-9]{2,8})*$/i

/** What mapping one entry needs: the feed, the undated rule's time, and where findings go. */
export interface Context {
  feed: ForeignFeed
  /** The date an undated item takes when the feed has none: the import's start. */
  importedAt: string
  lost: (kind: string) => void
  note: (kind: string) => void
}

const authorOf = (a: ForeignAuthor, ctx: Context) => {
  if (a.email && !EMAIL.test(a.email)) ctx.lost('author email that is not an address')
  if (a.url && !isHttpUrl(a.url)) ctx.lost('author url that is not an absolute http(s) URL')
  return {
    name: a.name ?? a.email!.split('@')[0]!,
    ...(a.email && EMAIL.test(a.email) && { email: a.email }),
    ...(a.url && isHttpUrl(a.url) && { url: a.url }),
  }
}

// RFC 2119-free rule of thumb from the RSS 2.0 spec: a file's length is required; 0 when unknown.
const enclosuresOf = (media: readonly ForeignMedia[], ctx: Context) => {
  const seen = new Set<string>()
  const kept: Array<{ url: string; type: string; length: number }> = []
  for (const m of media) {
    if (!m.url || !isHttpUrl(m.url)) {
      ctx.lost('enclosure without an absolute URL')
      continue
    }
    if (seen.has(m.url)) continue
    seen.add(m.url)
    if (!m.type || !MEDIA_TYPE.test(m.type)) {
      ctx.lost('enclosure without a media type')
      continue
    }
    const length = m.length && /^\d+$/.test(m.length.trim()) ? Number(m.length) : undefined
    if (length === undefined) ctx.note('enclosure without a length in bytes: kept with length 0')
    kept.push({ url: m.url, type: m.type.toLowerCase(), length: length ?? 0 })
  }
  if (kept.length > LIMITS.enclosures) ctx.lost(`enclosures beyond ${LIMITS.enclosures}`)
  return kept.slice(0, LIMITS.enclosures)
}

const labelsOf = (values: readonly string[], what: string, ctx: Context): string[] => {
  const usable = values.filter(
    (v) => !v.includes('<') && slugify(v) !== '' && v.length <= LIMITS.label,
  )
  if (usable.length < values.length)
    ctx.lost(`${what} that cannot be a feed name (no letter, "<", too long)`)
  const unique = [...new Set(usable)]
  if (unique.length > LIMITS.labels) ctx.lost(`${what} beyond ${LIMITS.labels}`)
  return unique.slice(0, LIMITS.labels)
}

/** The item's date, by the rule for undated items: the feed's date, else the import's time. */
const dateOf = (entry: ForeignEntry, ctx: Context): string => {
  const own = toIso(entry.published) ?? toIso(entry.updated)
  if (own) return own
  const unreadable = entry.published ?? entry.updated
  const feedDate = toIso(ctx.feed.updated)
  const why = unreadable ? `unreadable date ("${unreadable}")` : 'no date'
  ctx.note(
    feedDate
      ? `${why}: took the feed's date ${feedDate}`
      : `${why}: took the import time ${ctx.importedAt}`,
  )
  return feedDate ?? ctx.importedAt
}

const bounded = (value: string | undefined, max: number, what: string, ctx: Context) => {
  if (value === undefined || value.length <= max) return value
  ctx.lost(`${what} longer than ${max} characters: shortened`)
  return shorten(value, max)
}

/** The article input for one entry, or the reason it cannot become one. */
export const mapEntry = (entry: ForeignEntry, ctx: Context): Record<string, unknown> | string => {
  const { feed } = ctx
  const sourceId = entry.sourceId ?? entry.link
  if (!sourceId) return 'has no id and no link'
  const base = feed.link && isHttpUrl(feed.link) ? feed.link : undefined
  let url: string | undefined
  try {
    url = entry.link ? new URL(entry.link, base).href : undefined
  } catch {
    url = undefined
  }
  if ((!url || !isHttpUrl(url)) && isHttpUrl(sourceId)) {
    ctx.note('no link: took the id, an http(s) URL, as the link')
    url = sourceId
  }
  if (!url || !isHttpUrl(url)) return `has no absolute link`
  const title = bounded(entry.title, LIMITS.title, 'title', ctx)
  const summary = bounded(entry.summary, LIMITS.summary, 'summary', ctx)
  if (!title && !summary && !entry.contentHtml) return 'has no title and no body'
  if (!summary && !entry.contentHtml) ctx.note('headline only: imported as a link post')
  // An author is a feed (/feeds/authors/<slug>/): a name needs a letter or digit a slug keeps.
  const usable = (a: ForeignAuthor) => slugify(a.name ?? a.email?.split('@')[0] ?? '') !== ''
  const given = entry.authors.filter((a) => a.name || a.email)
  const named = given.filter(usable)
  if (named.length < given.length)
    ctx.lost('author name that cannot be a feed name (no a-z or 0-9)')
  const feedAuthors = feed.authors.filter(usable)
  if (given.length === 0)
    ctx.note(feedAuthors.length ? "no author: took the feed's author" : 'no author: named the feed')
  const authors = (named.length ? named : feedAuthors).slice(0, LIMITS.authors)
  if (named.length > LIMITS.authors) ctx.lost(`authors beyond ${LIMITS.authors}`)
  const feedName = [feed.title, new URL(url).hostname].find((n) => n && slugify(n) !== '')!
  if (entry.images.length > 0)
    ctx.lost('image with no type and size (media:thumbnail, image): not kept')
  for (const name of new Set(entry.unkept)) ctx.lost(`${name}: not kept`)
  const published = dateOf(entry, ctx)
  const updated = toIso(entry.updated)
  const language = feed.language && LANGUAGE.test(feed.language) ? feed.language : undefined
  if (feed.language && !language)
    ctx.lost(`feed language "${feed.language}" that is not a language tag`)
  return {
    id: importedId(sourceId),
    ...(title && { title }),
    ...(summary && { summary }),
    ...(entry.contentHtml && { contentHtml: entry.contentHtml }),
    url,
    authors: authors.length ? authors.map((a) => authorOf(a, ctx)) : [{ name: feedName }],
    publishedAt: published,
    ...(updated && updated >= published && { updatedAt: updated }),
    categories: labelsOf(entry.categories, 'categories', ctx),
    tags: labelsOf(entry.tags, 'tags', ctx),
    enclosures: enclosuresOf(entry.media, ctx),
    ...(language && { language }),
  }
}
