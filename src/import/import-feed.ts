// Maps a foreign feed's entries to articles, saying what could not be mapped, and stores them.
import { type Article, parseArticle } from '../articles/schema.js'
import { isHttpUrl } from '../articles/sanitize.js'
import { ValidationError } from '../lib/errors.js'
import { strongEtag } from '../lib/hash.js'
import { htmlToText, shorten } from '../lib/html-text.js'
import { slugify } from '../lib/slug.js'
import type { ArticleStore } from '../store/store.js'
import type { ForeignAuthor, ForeignEntry, ForeignFeed } from './feed-entries.js'

export interface ImportNote {
  /** Which entry: its position and source id. */
  entry: string
  message: string
}

export interface ImportReport {
  format: ForeignFeed['format']
  entries: number
  created: number
  updated: number
  unchanged: number
  skipped: ImportNote[]
  notes: ImportNote[]
}

const SUMMARY_LENGTH = 400

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

const authorOf = (a: ForeignAuthor) => ({
  name: a.name ?? a.email!.split('@')[0]!,
  ...(a.email && /^[^\s@]+@[^\s@]+$/.test(a.email) && { email: a.email }),
  ...(a.url && isHttpUrl(a.url) && { url: a.url }),
})

/** The article input for one entry, or the reason it cannot become one; notes collect what was lost. */
const mapEntry = (
  feed: ForeignFeed,
  entry: ForeignEntry,
  note: (message: string) => void,
): Record<string, unknown> | string => {
  const sourceId = entry.sourceId ?? entry.link
  if (!sourceId) return 'has no id and no link'
  const base = feed.link && isHttpUrl(feed.link) ? feed.link : undefined
  let url: string | undefined
  try {
    url = entry.link ? new URL(entry.link, base).href : undefined
  } catch {
    url = undefined
  }
  if (!url || !isHttpUrl(url)) return `has no absolute link (${entry.link ?? 'none'})`
  const published = toIso(entry.published) ?? toIso(entry.updated)
  if (!published) return `has no readable date (${entry.published ?? entry.updated ?? 'none'})`
  const content = entry.contentHtml ?? entry.summary
  if (!content) return 'has no content and no summary'
  const title = entry.title && (entry.titleIsHtml ? htmlToText(entry.title) : entry.title)
  const summary = shorten(htmlToText(entry.summary ?? content), SUMMARY_LENGTH)
  const named = [...entry.authors, ...(entry.authors.length === 0 ? feed.authors : [])].filter(
    (a) => a.name || a.email,
  )
  if (entry.authors.length === 0)
    note(named.length ? 'no author: took the feed author' : 'no author: used the feed title')
  const media = entry.media.filter((m) => {
    const ok = m.url && isHttpUrl(m.url) && m.type && m.length && /^\d+$/.test(m.length)
    if (!ok) note(`enclosure ${m.url ?? '(no url)'} left out: it needs a URL, a type and a length`)
    return ok
  })
  if (entry.image) note(`image ${entry.image} left out: its type and length are not known`)
  return {
    id: importedId(sourceId),
    title: title || shorten(summary, 80) || url,
    summary: summary || title || url,
    contentHtml: content,
    url,
    authors: named.length ? named.map(authorOf) : [{ name: feed.title ?? new URL(url).hostname }],
    publishedAt: published,
    ...(toIso(entry.updated) &&
      toIso(entry.updated)! >= published && { updatedAt: toIso(entry.updated) }),
    categories: [...new Set(entry.categories.filter((c) => !c.includes('<') && slugify(c)))].slice(
      0,
      32,
    ),
    tags: [...new Set(entry.tags.filter((t) => !t.includes('<') && slugify(t)))].slice(0, 32),
    enclosures: media
      .slice(0, 10)
      .map((m) => ({ url: m.url, type: m.type, length: Number(m.length) })),
    ...(feed.language &&
      /^[a-z]{2,3}(-[a-z0-9]{2,8})*$/i.test(feed.language) && { language: feed.language }),
  }
}

/** Maps every entry; those that fail validation are skipped with the fields that failed. */
export const mapFeed = (
  feed: ForeignFeed,
): { articles: Article[]; skipped: ImportNote[]; notes: ImportNote[] } => {
  const articles: Article[] = []
  const skipped: ImportNote[] = []
  const notes: ImportNote[] = []
  feed.entries.forEach((entry, i) => {
    const where = `#${i + 1} ${entry.sourceId ?? entry.link ?? ''}`.trim()
    const mapped = mapEntry(feed, entry, (message) => notes.push({ entry: where, message }))
    if (typeof mapped === 'string') {
      skipped.push({ entry: where, message: mapped })
      return
    }
    try {
      const article = parseArticle(mapped)
      if (articles.some((a) => a.id === article.id))
        skipped.push({ entry: where, message: 'repeats an earlier id' })
      else articles.push(article)
    } catch (error) {
      const detail =
        error instanceof ValidationError
          ? error.issues.map((x) => `${x.path}: ${x.message}`).join('; ')
          : String(error)
      skipped.push({ entry: where, message: `invalid after mapping (${detail})` })
    }
  })
  return { articles, skipped, notes }
}

/** Imports a parsed feed: one transaction; articles equal to the stored ones are left untouched. */
export const importFeed = async (
  store: ArticleStore,
  feed: ForeignFeed,
  onProgress?: (done: number, total: number) => void,
): Promise<ImportReport> => {
  const { articles, skipped, notes } = mapFeed(feed)
  const changed: Article[] = []
  let created = 0
  for (const [i, article] of articles.entries()) {
    const stored = await store.get(article.id)
    if (!stored) created += 1
    if (!stored || JSON.stringify(stored) !== JSON.stringify(article)) changed.push(article)
    onProgress?.(i + 1, articles.length)
  }
  if (changed.length > 0) await store.upsertMany(changed)
  return {
    format: feed.format,
    entries: feed.entries.length,
    created,
    updated: changed.length - created,
    unchanged: articles.length - changed.length,
    skipped,
    notes,
  }
}
