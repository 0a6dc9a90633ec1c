// The one write path for articles: the API, the CLI, an import and the seed fixtures all store
// through it, so every article gets the same validation, sanitising, edit stamp and date rule.
import { hasUpdatedAt, stampEdit } from '../articles/edits.js'
import { futureEditIssue, isDue } from '../articles/schedule.js'
import { type Article, parseArticle, parseArticles } from '../articles/schema.js'
import { ValidationError } from '../lib/errors.js'
import type { ArticleStore } from './articles.js'

/** What a write stored, and the version it replaced (undefined: the article is new). */
export interface Written {
  article: Article
  previous: Article | undefined
}

/** The edit stamp (articles/edits.ts) against the version readers were shown, if any. */
const stamp = (
  article: Article,
  previous: Article | undefined,
  input: unknown,
  now: Date,
): Article => {
  // An article never published (scheduled or draft) has no edit time readers saw to move past.
  const shown = previous && isDue(previous, now) ? previous : undefined
  return stampEdit(article, shown, hasUpdatedAt(input), now)
}

/** A published article dated in the future would leave the feeds until then (schedule.ts). */
const refuseFutureEdits = (articles: readonly Article[], now: Date, batch: boolean): void => {
  const issues = articles.flatMap((article, i) => {
    const issue = futureEditIssue(article, now)
    return issue ? [{ ...issue, path: batch ? `${i}.${issue.path}` : issue.path }] : []
  })
  if (issues.length > 0) {
    throw new ValidationError(
      'store/write-path: an article dated in the future; nothing was written',
      issues,
    )
  }
}

/**
 * Stores one article as a client sent it: validated and sanitised, its edit stamped, refused when
 * a published article is dated in the future. `previous` is the stored version when the caller
 * read it already (for its preconditions); otherwise it is read here.
 */
export const putArticle = async (
  articles: ArticleStore,
  input: unknown,
  options: { now: Date; previous?: Article | undefined },
): Promise<Written> => {
  const parsed = parseArticle(input)
  const previous = 'previous' in options ? options.previous : await articles.get(parsed.id)
  const article = stamp(parsed, previous, input, options.now)
  refuseFutureEdits([article], options.now, false)
  await articles.upsert(article)
  return { article, previous }
}

/** Stores many articles as a client sent them, all or nothing, each as `putArticle` would. */
export const putArticles = async (
  articles: ArticleStore,
  inputs: readonly unknown[],
  options: { now: Date },
): Promise<Written[]> => {
  const parsed = await parseArticles(inputs)
  const stored = await articles.getMany(parsed.map((a) => a.id))
  const written = parsed.map((article, i): Written => {
    const previous = stored.get(article.id)
    return { article: stamp(article, previous, inputs[i], options.now), previous }
  })
  refuseFutureEdits(
    written.map((w) => w.article),
    options.now,
    true,
  )
  await articles.upsertMany(written.map((w) => w.article))
  return written
}

/**
 * Stores articles the caller validated and sanitised already with the same schema, one at a time
 * so that it could name those refused (an import's entries as it maps them; `articles sanitize`
 * over the stored ones); all or nothing, the stored versions read in one query. Returns those that differ from the stored ones (with `dryRun`,
 * stores nothing). They carry their own dates, so are neither stamped nor refused for them: an
 * imported entry is dated by its source (updated, else published), and one dated ahead of now
 * waits aside until then, as a scheduled article does.
 */
export const putValidated = async (
  articles: ArticleStore,
  validated: readonly Article[],
  options: { dryRun?: boolean } = {},
): Promise<Written[]> => {
  const stored = await articles.getMany(validated.map((a) => a.id))
  const changed = validated
    .map((article): Written => ({ article, previous: stored.get(article.id) }))
    .filter(({ article, previous }) => JSON.stringify(previous) !== JSON.stringify(article))
  if (changed.length > 0 && !options.dryRun)
    await articles.upsertMany(changed.map((w) => w.article))
  return changed
}
