// `feedwright articles add|rm`: scripted writes to the store.
import { type Article, parseArticle } from '../articles/schema.js'
import { loadConfig } from '../config.js'
import { ValidationError } from '../lib/errors.js'
import type { ArticleStore, Cursor } from '../store/articles.js'
import { openStore } from '../store/open.js'
import { putArticle, putArticles, putValidated } from '../store/write-path.js'
import { type CliIo, type Command, readSource, UsageError } from './io.js'

export const ARTICLES_HELP = `Usage: feedwright articles add <file.json>
       feedwright articles rm <id>
       feedwright articles sanitize

add:      validates the article (or array of articles) in the file and stores it (all or nothing);
          an edit that does not say when (no updatedAt) is dated now, as through the API.
rm:       deletes the article; feeds drop it at the next build.
sanitize: runs today's validation and HTML sanitising over every stored article and stores those
          it changes (run once after upgrading: articles stored before are not sanitised on
          their own). Names the articles today's validation refuses; it leaves them as they are.`

export const articles: Command = async (args, io) => {
  const [action, target, ...rest] = args
  if (action === 'sanitize' && target === undefined) {
    const store = await openStore(loadConfig(io.env))
    try {
      const { seen, changed, refused } = await sanitizeStored(store.articles)
      for (const { id, reason } of refused) io.err(`feedwright: kept ${id} as it is: ${reason}`)
      io.out(`sanitised ${seen} stored articles: ${changed} changed, ${refused.length} refused`)
      return refused.length > 0 ? 1 : 0
    } finally {
      await store.close()
    }
  }
  if ((action !== 'add' && action !== 'rm') || !target || rest.length > 0) {
    throw new UsageError(
      'use "articles add <file.json>", "articles rm <id>" or "articles sanitize"',
    )
  }
  if (action === 'add') return add(target, io)
  const store = await openStore(loadConfig(io.env))
  try {
    if (!(await store.articles.delete(target, new Date()))) {
      io.err(`feedwright: no article with id "${target}"`)
      return 1
    }
    io.out(`deleted ${target}`)
    return 0
  } finally {
    await store.close()
  }
}

/** Stores the article (or array of articles) in the file through the write path, as the API does. */
const add = async (target: string, io: CliIo): Promise<number> => {
  let input: unknown
  try {
    input = JSON.parse(await readSource(target))
  } catch (error) {
    throw new UsageError(
      `${target} is not JSON: ${error instanceof Error ? error.message : String(error)}`,
    )
  }
  const store = await openStore(loadConfig(io.env))
  let ids: string[]
  try {
    const now = new Date()
    const written = Array.isArray(input)
      ? await putArticles(store.articles, input, { now })
      : [await putArticle(store.articles, input, { now })]
    ids = written.map((w) => w.article.id)
  } catch (error) {
    if (error instanceof ValidationError) throw new Error(`${target}: ${describe(error)}`)
    throw error
  } finally {
    await store.close()
  }
  io.out(`stored ${ids.length} article${ids.length === 1 ? '' : 's'}: ${ids.join(', ')}`)
  return 0
}

const describe = (error: unknown): string => {
  const issues = (error as { issues?: Array<{ path: string; message: string }> }).issues
  return issues ? issues.map((i) => `${i.path}: ${i.message}`).join('; ') : String(error)
}

const PAGE = 500

/**
 * Every stored article through today's schema (which sanitises its HTML), page by page; those it
 * changes are stored again, a page at a time, so their feeds rebuild. Idempotent.
 */
const sanitizeStored = async (store: ArticleStore) => {
  let seen = 0
  let changed = 0
  const refused: Array<{ id: string; reason: string }> = []
  const clean = async (page: readonly Article[]) => {
    const updates: Article[] = []
    for (const stored of page) {
      try {
        const cleaned = parseArticle(stored)
        if (JSON.stringify(cleaned) !== JSON.stringify(stored)) updates.push(cleaned)
      } catch (error) {
        refused.push({ id: stored.id, reason: describe(error) })
      }
    }
    await putValidated(store, updates)
    seen += page.length
    changed += updates.length
  }
  let after: Cursor | undefined
  for (;;) {
    const page = await store.newestFor({ kind: 'site' }, PAGE, after)
    if (page.length === 0) break
    await clean(page)
    const last = page.at(-1)!
    after = { publishedAt: last.publishedAt, id: last.id }
  }
  // Drafts and scheduled articles are in no selection until they are due.
  await clean(await store.keptAside(Number.MAX_SAFE_INTEGER))
  return { seen, changed, refused }
}
