// Public read of the store: GET /articles (filtered, cursor-paged) and GET /articles/:id.
import { type Context, Hono } from 'hono'
import * as v from 'valibot'
import { isDue } from '../articles/schedule.js'
import { type Article, fieldIssues } from '../articles/schema.js'
import { NotFoundError, ValidationError } from '../lib/errors.js'
import { strongEtag } from '../lib/hash.js'
import { LABEL_SLUG_PATTERN } from '../lib/slug.js'
import type { ArticleStore, Cursor, Selection } from '../store/articles.js'
import { isNotModified } from './conditional.js'

/** The ETag of an article's JSON representation; If-Match on writes is compared with it. */
export const articleEtag = (article: Article): string => strongEtag(JSON.stringify(article))

const encodeCursor = (article: Article): string =>
  Buffer.from(JSON.stringify([article.publishedAt, article.id])).toString('base64url')

const decodeCursor = (value: string): Cursor | undefined => {
  try {
    const [publishedAt, id] = JSON.parse(Buffer.from(value, 'base64url').toString()) as unknown[]
    return typeof publishedAt === 'string' && typeof id === 'string'
      ? { publishedAt, id }
      : undefined
  } catch {
    return undefined
  }
}

const slug = v.optional(v.pipe(v.string(), v.regex(LABEL_SLUG_PATTERN, 'must be a slug')))

const ListQuery = v.pipe(
  v.object({
    category: slug,
    tag: slug,
    author: slug,
    limit: v.optional(
      v.pipe(
        v.string(),
        v.regex(/^\d+$/, 'must be a whole number'),
        v.transform(Number),
        v.minValue(1, 'must be at least 1'),
        v.maxValue(100, 'must be at most 100'),
      ),
      '20',
    ),
    cursor: v.optional(
      v.pipe(
        v.string(),
        v.rawTransform(({ dataset, addIssue, NEVER }) => {
          const cursor = decodeCursor(dataset.value)
          if (cursor) return cursor
          addIssue({ message: 'is not a cursor this service gave out' })
          return NEVER
        }),
      ),
    ),
  }),
  v.check(
    (q) => [q.category, q.tag, q.author].filter(Boolean).length <= 1,
    'give at most one of category, tag and author',
  ),
)

const selectionOf = (q: { category?: string; tag?: string; author?: string }): Selection =>
  q.category
    ? { kind: 'category', slug: q.category }
    : q.tag
      ? { kind: 'tag', slug: q.tag }
      : q.author
        ? { kind: 'author', slug: q.author }
        : { kind: 'site' }

/** Sends an article with its ETag; 304 when the client's copy is current. */
export const sendArticle = (c: Context, article: Article): Response => {
  const etag = articleEtag(article)
  const headers = { 'Content-Type': 'application/json; charset=utf-8', ETag: etag }
  return isNotModified({ ifNoneMatch: c.req.header('if-none-match') }, { etag, lastModified: '' })
    ? c.body(null, 304, headers)
    : c.body(JSON.stringify(article), 200, headers)
}

export const articleRoutes = ({ store, clock }: { store: ArticleStore; clock: () => Date }) =>
  new Hono()
    .get('/', async (c) => {
      const parsed = v.safeParse(ListQuery, c.req.query())
      if (!parsed.success) {
        throw new ValidationError('http/articles: invalid query', fieldIssues(parsed.issues))
      }
      const { limit, cursor } = parsed.output
      const items = await store.newestFor(selectionOf(parsed.output), limit, cursor)
      const last = items.length === limit ? items.at(-1) : undefined
      const next = last && new URL(c.req.url)
      if (next && last) next.searchParams.set('cursor', encodeCursor(last))
      if (next) c.header('Link', `<${next.pathname}${next.search}>; rel="next"`)
      return c.json({ items, ...(next && { next: `${next.pathname}${next.search}` }) })
    })
    .get('/:id', async (c) => {
      const article = await store.get(c.req.param('id'))
      // Scheduled articles and drafts are the admin API's until they are published.
      if (!article || !isDue(article, clock()))
        throw new NotFoundError(`http/articles: no article with id "${c.req.param('id')}"`)
      return sendArticle(c, article)
    })
