// Valibot schemas for an article and its parts; the Article type is inferred from them.
import * as v from 'valibot'
import { type FieldIssue, ValidationError } from '../lib/errors.js'
import { SLUG_PATTERN, slugify } from '../lib/slug.js'
import { httpUrl as absoluteHttpUrl } from '../lib/urls.js'
import { cleanHtml, cleanLine, cleanText } from './sanitize.js'

// RFC 3339 §5.6 date-time; the offset is required so that a date means one instant.
const TIMESTAMP_PATTERN =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/i

// RFC 6838 §4.2 type/subtype names.
const MEDIA_TYPE_PATTERN = /^[a-z0-9][a-z0-9!#$&^_.+-]{0,126}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}$/i

// BCP 47 language tags, the shape RSS <language>, xml:lang and JSON Feed's language take.
const LANGUAGE_PATTERN = /^[a-z]{2,3}(?:-[a-z0-9]{2,8})*$/i

/** Upper bounds keep one article from dominating a feed document or the store. */
export const LIMITS = {
  title: 500,
  summary: 4_000,
  contentHtml: 1_000_000,
  label: 64,
  labels: 32,
  authors: 20,
  related: 50,
  enclosures: 10,
} as const

const isRealInstant = (value: string): boolean => {
  const parts = TIMESTAMP_PATTERN.exec(value)
    ?.slice(1, 7)
    .map((part) => Number(part ?? 0))
  if (!parts) return false
  const [y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0] = parts
  // Date.UTC rolls 2026-02-30 over into March; a real calendar date survives the round trip.
  const calendar = new Date(Date.UTC(y, mo - 1, d))
  return (
    calendar.getUTCFullYear() === y &&
    calendar.getUTCMonth() === mo - 1 &&
    calendar.getUTCDate() === d &&
    h < 24 &&
    mi < 60 &&
    s < 60 &&
    !Number.isNaN(Date.parse(value))
  )
}

// What every format can write once in UTC: four-digit years. RSS dates (RFC 822 as RFC 1123 uses
// it) with years 100–999 are not read back, RFC 3339 has no year beyond 9999, and an offset can move
// 9999-12-31T23:59:59-01:00 into year 10000.
const EARLIEST = Date.UTC(1000, 0, 1)
const LATEST = Date.UTC(9999, 11, 31, 23, 59, 59, 999)
const inFeedRange = (value: string): boolean => {
  const time = Date.parse(value)
  // Not a date at all is the format check's finding; one issue per field is enough.
  return Number.isNaN(time) || (time >= EARLIEST && time <= LATEST)
}

const timestamp = v.pipe(
  v.string(),
  v.trim(),
  v.check(isRealInstant, 'must be an ISO 8601 date-time with offset, e.g. 2026-11-25T09:30:00Z'),
  v.check(inFeedRange, 'must be from 1000-01-01T00:00:00Z to 9999-12-31T23:59:59Z once in UTC'),
  v.transform((value) => new Date(value).toISOString()),
)

const line = (max: number) =>
  v.pipe(
    v.string(),
    v.transform(cleanLine),
    v.minLength(1, 'must not be empty'),
    v.maxLength(max, `must be at most ${max} characters`),
  )

// Stored in the URL standard's normal form, so that equal URLs are equal strings.
const httpUrl = v.pipe(
  v.string(),
  v.trim(),
  absoluteHttpUrl,
  v.transform((value) => new URL(value).href),
)

const mediaType = v.pipe(
  v.string(),
  v.trim(),
  v.regex(MEDIA_TYPE_PATTERN, 'must be a media type such as image/jpeg'),
  v.toLowerCase(),
)

const byteLength = v.pipe(
  v.number('must be a number of bytes'),
  v.integer('must be a whole number of bytes'),
  v.minValue(0, 'must not be negative'),
)

// Labels become feed paths and XML attribute values: `<` cannot be carried by the `feed` package.
const label = v.pipe(
  line(LIMITS.label),
  v.check((value) => !value.includes('<'), 'must not contain <'),
  v.check((value) => slugify(value) !== '', 'must contain a letter or digit'),
)

// Two labels with one slug would be one feed: keep the first spelling.
const labels = v.pipe(
  v.array(label),
  v.maxLength(LIMITS.labels, `must have at most ${LIMITS.labels} entries`),
  v.transform((values) =>
    values.filter(
      (value, i) => values.findIndex((other) => slugify(other) === slugify(value)) === i,
    ),
  ),
)

export const AuthorSchema = v.strictObject({
  name: v.pipe(
    line(200),
    v.check((value) => slugify(value) !== '', 'must contain a letter or digit'),
  ),
  email: v.optional(v.pipe(v.string(), v.trim(), v.email('must be an email address'))),
  url: v.optional(httpUrl),
})

export const ImageSchema = v.strictObject({
  url: httpUrl,
  type: v.pipe(
    mediaType,
    v.check((value) => value.startsWith('image/'), 'must be an image/* media type'),
  ),
  length: byteLength,
  alt: v.optional(line(500)),
})

export const EnclosureSchema = v.strictObject({
  url: httpUrl,
  type: mediaType,
  length: byteLength,
  title: v.optional(line(500)),
})

export const RelatedLinkSchema = v.strictObject({
  title: line(LIMITS.title),
  url: httpUrl,
})

export const ArticleSchema = v.pipe(
  v.strictObject({
    id: v.pipe(
      v.string(),
      v.maxLength(128, 'must be at most 128 characters'),
      v.regex(SLUG_PATTERN, 'must be a slug: lower-case letters, digits and single hyphens'),
    ),
    // A link post has a title and a url; a short post a body and a url: each may lack the others.
    title: v.optional(line(LIMITS.title)),
    summary: v.optional(
      v.pipe(
        v.string(),
        v.transform((value) => cleanText(value).trim()),
        v.minLength(1, 'must not be empty'),
        v.maxLength(LIMITS.summary, `must be at most ${LIMITS.summary} characters`),
      ),
    ),
    contentHtml: v.optional(
      v.pipe(
        v.string(),
        v.minLength(1, 'must not be empty'),
        v.maxLength(LIMITS.contentHtml, `must be at most ${LIMITS.contentHtml} characters`),
      ),
    ),
    url: httpUrl,
    authors: v.pipe(
      v.array(AuthorSchema),
      v.minLength(1, 'must name at least one author'),
      v.maxLength(LIMITS.authors, `must have at most ${LIMITS.authors} entries`),
    ),
    publishedAt: timestamp,
    updatedAt: v.optional(timestamp),
    categories: v.optional(labels, []),
    tags: v.optional(labels, []),
    image: v.optional(ImageSchema),
    enclosures: v.optional(
      v.pipe(v.array(EnclosureSchema), v.maxLength(LIMITS.enclosures, 'too many enclosures')),
      [],
    ),
    related: v.optional(
      v.pipe(v.array(RelatedLinkSchema), v.maxLength(LIMITS.related, 'too many related links')),
      [],
    ),
    language: v.optional(
      v.pipe(v.string(), v.trim(), v.regex(LANGUAGE_PATTERN, 'must be a language tag such as en')),
    ),
    // Absent means published; a draft is stored but never published (articles/schedule.ts).
    status: v.optional(v.picklist(['published', 'draft'], 'must be "published" or "draft"')),
  }),
  v.forward(
    v.check(
      (a) => a.title !== undefined || a.summary !== undefined || a.contentHtml !== undefined,
      'an article needs a title or a body (summary or contentHtml)',
    ),
    ['title'],
  ),
  v.forward(
    v.check(
      (a) => a.updatedAt === undefined || a.updatedAt >= a.publishedAt,
      'must not be earlier than publishedAt',
    ),
    ['updatedAt'],
  ),
  v.transform((a) => ({
    ...a,
    ...(a.contentHtml !== undefined && { contentHtml: cleanHtml(a.contentHtml, a.url) }),
    updatedAt: a.updatedAt ?? a.publishedAt,
  })),
  v.forward(
    v.check(
      (a) => a.contentHtml === undefined || a.contentHtml.trim() !== '',
      'must keep some content once sanitised (scripts, frames and the like are removed)',
    ),
    ['contentHtml'],
  ),
)

/** What a client sends. */
export type ArticleInput = v.InferInput<typeof ArticleSchema>
/** A validated, cleaned article: what the store holds and the feeds are built from. */
export type Article = v.InferOutput<typeof ArticleSchema>
export type Author = Article['authors'][number]
export type Image = NonNullable<Article['image']>
export type Enclosure = Article['enclosures'][number]

/** Every failing field of a valibot result, as dotted paths with reasons. */
export const fieldIssues = (issues: readonly v.BaseIssue<unknown>[]): FieldIssue[] =>
  issues.map((issue) => ({
    path: v.getDotPath(issue) ?? '(body)',
    message: issue.message.startsWith('Invalid') ? describeInvalid(issue) : issue.message,
  }))

// Valibot's default texts ("Invalid type: Expected string but received 123") are kept but for
// unknown keys, where the key itself is the useful part.
const describeInvalid = (issue: v.BaseIssue<unknown>): string =>
  issue.kind === 'schema' && issue.expected === 'never' ? 'is not a known field' : issue.message

/** Validates and cleans one article; throws ValidationError naming every failing field. */
export const parseArticle = (input: unknown): Article => {
  const result = v.safeParse(ArticleSchema, input)
  if (result.success) return result.output
  const issues = fieldIssues(result.issues)
  throw new ValidationError(
    `articles/schema: invalid article (${issues.map((i) => i.path).join(', ')})`,
    issues,
  )
}

/**
 * Validates and cleans a batch, yielding to the event loop between articles: sanitising takes
 * about 2 ms per 28 KB of HTML, so a full batch (32 MiB) is seconds of CPU that must not hold up
 * the requests served meanwhile. Throws one ValidationError naming every failing field as
 * `index.path`; the ids must be unique.
 */
export const parseArticles = async (inputs: readonly unknown[]): Promise<Article[]> => {
  const articles: Article[] = []
  const issues: FieldIssue[] = []
  for (const [i, input] of inputs.entries()) {
    await new Promise((resolve) => setImmediate(resolve))
    const result = v.safeParse(ArticleSchema, input)
    if (result.success) articles.push(result.output)
    else
      issues.push(
        ...fieldIssues(result.issues).map((issue) => ({
          ...issue,
          path: issue.path === '(body)' ? String(i) : `${i}.${issue.path}`,
        })),
      )
  }
  if (issues.length === 0 && new Set(articles.map((a) => a.id)).size !== articles.length) {
    issues.push({ path: '(body)', message: 'ids must be unique' })
  }
  if (issues.length > 0) {
    throw new ValidationError(
      `articles/schema: invalid batch (${issues.map((i) => i.path).join(', ')})`,
      issues,
    )
  }
  return articles
}
