// Admin API: article writes (validated, preconditioned), rebuild triggers and build reports.
import { type Context, Hono } from 'hono'
import * as v from 'valibot'
import { hasUpdatedAt, mergePatch } from '../articles/edits.js'
import { type Article, fieldIssues } from '../articles/schema.js'
import type { BuildReport } from '../builder/report.js'
import type { Scheduler } from '../builder/scheduler.js'
import {
  ConflictError,
  NotFoundError,
  PreconditionFailedError,
  ValidationError,
} from '../lib/errors.js'
import type { Store } from '../store/store.js'
import { putArticle, putArticles } from '../store/write-path.js'
import { articleEtag, sendArticle } from './articles.js'
import { bearerAuth } from './auth.js'
import { notFound } from './problem.js'
import { limitBody, readJson } from './json-body.js'

export interface ApiOptions {
  store: Pick<Store, 'articles' | 'builds'>
  scheduler: Scheduler
  adminToken: string | undefined
  clock: () => Date
}

export const MAX_BODY_BYTES = 1024 * 1024
export const MAX_BATCH = 1_000
// A batch may hold MAX_BATCH articles of ordinary size (the 1 MiB limit is for one article).
export const MAX_BATCH_BODY_BYTES = 32 * 1024 * 1024

// The batch's shape; its articles are validated one at a time (parseArticles yields between them).
const BatchSchema = v.pipe(
  v.array(v.unknown()),
  v.minLength(1, 'must hold at least one article'),
  v.maxLength(MAX_BATCH, `must hold at most ${MAX_BATCH} articles`),
)

const RebuildSchema = v.strictObject({ full: v.optional(v.boolean()) })

/** RFC 9110 §13.1.1: If-Match uses the strong comparison; `*` needs a current representation. */
const checkIfMatch = (header: string | undefined, current: Article | undefined): void => {
  if (header === undefined) return
  const etag = current && articleEtag(current)
  const matches =
    etag !== undefined &&
    (header.trim() === '*' || header.split(',').some((tag) => tag.trim() === etag))
  if (!matches) {
    throw new PreconditionFailedError(
      current
        ? 'http/api: the article changed since you read it (If-Match does not match its ETag)'
        : 'http/api: If-Match was given but the article does not exist',
    )
  }
}

const idFromPath = (id: string, input: unknown): unknown => {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return input
  const bodyId = (input as { id?: unknown }).id
  if (bodyId !== undefined && bodyId !== id) {
    throw new ValidationError('http/api: the id in the body differs from the URL', [
      { path: 'id', message: `must be "${id}" as in the URL, or left out` },
    ])
  }
  return { ...input, id }
}

const withHeaders = (article: Article) => ({
  ETag: articleEtag(article),
  Location: `/articles/${article.id}`,
})

const single = limitBody(MAX_BODY_BYTES)

/** Reads of what no public route shows: drafts, scheduled articles, any article by id. */
const articleReads = ({ store }: ApiOptions) =>
  new Hono()
    .get('/scheduled', async (c) => {
      // Drafts and scheduled articles, which no public read shows: next due first, drafts last.
      return c.json({ items: await store.articles.keptAside(MAX_BATCH) })
    })
    .get('/articles/:id', async (c) => {
      const article = await store.articles.get(c.req.param('id'))
      if (!article) throw new NotFoundError(`http/api: no article with id "${c.req.param('id')}"`)
      return sendArticle(c, article)
    })

type Save = (input: unknown, previous: Article | undefined) => Promise<Article>

/** Stores one write through the write path and schedules the rebuild; every single write's end. */
const saver =
  ({ store, scheduler, clock }: ApiOptions): Save =>
  async (input, previous) => {
    const { article } = await putArticle(store.articles, input, { now: clock(), previous })
    scheduler.requestRebuild()
    return article
  }

/** Creating and replacing articles. */
const articlePuts = ({ store, scheduler, clock }: ApiOptions, save: Save) =>
  new Hono()
    .post('/articles/batch', limitBody(MAX_BATCH_BODY_BYTES), async (c) => {
      const parsed = v.safeParse(BatchSchema, await readJson(c))
      if (!parsed.success) {
        throw new ValidationError(
          'http/api: invalid batch; nothing was written',
          fieldIssues(parsed.issues),
        )
      }
      const written = await putArticles(store.articles, parsed.output, { now: clock() })
      scheduler.requestRebuild()
      return c.json({ written: written.length, ids: written.map((w) => w.article.id) }, 200)
    })
    .post('/articles', single, async (c) => {
      const input = await readJson(c)
      const id = (input as { id?: unknown } | null)?.id
      if (typeof id === 'string' && (await store.articles.get(id))) {
        throw new ConflictError(
          `http/api: article "${id}" exists; PUT /api/articles/${id} replaces it`,
        )
      }
      const article = await save(input, undefined)
      return c.json(article, 201, withHeaders(article))
    })
    .put('/articles/:id', single, async (c) => {
      const id = c.req.param('id')
      const input = idFromPath(id, await readJson(c))
      const previous = await store.articles.get(id)
      checkIfMatch(c.req.header('if-match'), previous)
      const article = await save(input, previous)
      return c.json(article, previous ? 200 : 201, withHeaders(article))
    })

/** Editing and deleting an article that exists, under its If-Match precondition. */
const articleEdits = ({ store, scheduler, clock }: ApiOptions, save: Save) =>
  new Hono()
    .patch('/articles/:id', single, async (c) => {
      const id = c.req.param('id')
      const patch = idFromPath(id, await readJson(c))
      const previous = await store.articles.get(id)
      if (!previous) throw new NotFoundError(`http/api: no article with id "${id}"`)
      checkIfMatch(c.req.header('if-match'), previous)
      // Without an updatedAt in the patch, the edit time is stamped by the write path, not kept.
      const { updatedAt: _previousStamp, ...unstamped } = previous
      const merged = mergePatch(hasUpdatedAt(patch) ? previous : unstamped, patch)
      const article = await save(merged, previous)
      return c.json(article, 200, withHeaders(article))
    })
    .delete('/articles/:id', async (c) => {
      const id = c.req.param('id')
      const previous = await store.articles.get(id)
      if (!previous) throw new NotFoundError(`http/api: no article with id "${id}"`)
      checkIfMatch(c.req.header('if-match'), previous)
      await store.articles.delete(id, clock())
      scheduler.requestRebuild()
      return c.body(null, 204)
    })

/** Rebuilds on demand and the reports of builds, finished, pending or failed. */
const buildRoutes = ({ store, scheduler }: ApiOptions) =>
  new Hono()
    .post('/rebuild', single, async (c) => {
      const hasBody =
        c.req.header('content-length') !== '0' && c.req.header('content-type') !== undefined
      const body = hasBody ? v.safeParse(RebuildSchema, await readJson(c)) : undefined
      if (body && !body.success) {
        throw new ValidationError('http/api: invalid rebuild request', fieldIssues(body.issues))
      }
      const full = body?.output.full ?? false
      const ticket = await scheduler.trigger({ full })
      ticket.done.catch(() => undefined)
      return c.json({ id: ticket.id, status: 'pending', report: `/api/builds/${ticket.id}` }, 202, {
        Location: `/api/builds/${ticket.id}`,
      })
    })
    // One route for both, not `/builds/latest` beside `/builds/:id{[0-9]+}`: that pair is the only
    // one Hono's RegExpRouter cannot hold, and without it every request (feeds too) would be
    // matched by the slower TrieRouter.
    .get('/builds/:id', (c) => {
      const id = c.req.param('id')
      if (id === 'latest') return latestReport(c, store)
      return BUILD_ID.test(id) ? buildReport(c, Number(id), store, scheduler) : notFound(c)
    })

const BUILD_ID = /^[0-9]+$/

const latestReport = async (c: Context, store: ApiOptions['store']) => {
  const latest = await store.builds.latestBuildReport()
  if (!latest) throw new NotFoundError('http/api: no build has finished yet')
  return c.json({ status: 'finished', ...(JSON.parse(latest.json) as BuildReport) })
}

const buildReport = async (
  c: Context,
  id: number,
  store: ApiOptions['store'],
  scheduler: Scheduler,
) => {
  const json = await store.builds.buildReport(id)
  if (json) return c.json({ status: 'finished', ...(JSON.parse(json) as BuildReport) })
  if (scheduler.pending().includes(id)) return c.json({ id, status: 'pending' })
  // A build that ended without a report (it could not even save one): why, not a 404.
  const failure = scheduler.failure(id)
  if (failure) return c.json({ id, status: 'failed', error: failure.message, at: failure.at })
  throw new NotFoundError(`http/api: no build ${id} is kept`)
}

/** The admin API, every route behind the bearer token. */
export const apiRoutes = (options: ApiOptions) => {
  const save = saver(options)
  return new Hono()
    .use(bearerAuth({ token: options.adminToken }))
    .route('/', articleReads(options))
    .route('/', articlePuts(options, save))
    .route('/', articleEdits(options, save))
    .route('/', buildRoutes(options))
}
