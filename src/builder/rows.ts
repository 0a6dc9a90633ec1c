// The rows a build plans documents from: a summary of each (where it sorts, its size, a digest of
// it), with the articles themselves kept only while they stay small. A document whose articles
// were not kept reads them again as it is produced, checked against the plan.
import type { Article } from '../articles/schema.js'
import { strongEtag } from '../lib/hash.js'
import type { ArticleStore, Cursor, Selection } from '../store/store.js'

/** What planning a document needs of an article: where it sorts, its size, a digest of its row. */
export interface RowSummary {
  id: string
  publishedAt: string
  /** The row's estimated bytes in a document (its JSON length). */
  bytes: number
  /** A hash of the whole row: any change to the article (also one keeping updatedAt) shows. */
  version: string
}

/** An article's summary; its size in a document estimated from its row before anything is rendered. */
export const summarize = (article: Article): RowSummary => {
  const row = JSON.stringify(article)
  return {
    id: article.id,
    publishedAt: article.publishedAt,
    bytes: row.length,
    version: strongEtag(row),
  }
}

/** Where reading newest first resumes after a row (strictly older ones). */
export const cursorOf = (row: Pick<RowSummary, 'id' | 'publishedAt'>): Cursor => ({
  publishedAt: row.publishedAt,
  id: row.id,
})

/** Rows as read to plan documents: summaries, and the articles when kept (both newest first). */
export interface RowsRead {
  summaries: RowSummary[]
  articles?: Article[]
}

// Rows read at a time: at most BATCH, and fewer when they are long, so that the rows in hand stay
// near BATCH_BYTES whatever an article weighs. Whatever is in hand when V8 collects the young
// generation is promoted to the old one, which stays in RSS: 100 long reads (2.8 MB) at a time
// grew the serving thread's old generation from ~20 to ~43 MiB while it cut one large month.
const BATCH = 100
const BATCH_BYTES = 512 * 1024

/**
 * The summaries of a selection's newest `limit` articles (all by default), newest first, read in
 * batches; the articles themselves are kept while their bytes stay within `keepBytes`, and dropped
 * (never to pile up) once past it.
 */
export const readRows = async (
  store: ArticleStore,
  selection: Selection,
  keepBytes: number,
  limit = Number.POSITIVE_INFINITY,
): Promise<RowsRead> => {
  const summaries: RowSummary[] = []
  let kept: Article[] | undefined = []
  let bytes = 0
  let after: Cursor | undefined
  let perBatch = BATCH
  for (;;) {
    const asked = Math.min(perBatch, limit - summaries.length)
    const batch = asked > 0 ? await store.newestFor(selection, asked, after) : []
    const before = bytes
    for (const a of batch) {
      const summary = summarize(a)
      summaries.push(summary)
      bytes += summary.bytes
      if (bytes > keepBytes) kept = undefined
      kept?.push(a)
    }
    const last = batch.at(-1)
    if (!last || batch.length < asked) return { summaries, ...(kept && { articles: kept }) }
    after = cursorOf(last)
    const rowBytes = (bytes - before) / batch.length
    perBatch = Math.max(1, Math.min(BATCH, Math.floor(BATCH_BYTES / rowBytes)))
  }
}

/** Whether articles read are the rows summarised, in the same order and versions. */
const sameRows = (articles: readonly Article[], rows: readonly RowSummary[]): boolean =>
  articles.length === rows.length &&
  articles.every((a, i) => a.id === rows[i]!.id && summarize(a).version === rows[i]!.version)

/**
 * Reads a document's articles as it is produced: the rows after `after` (newest first) that were
 * summarised as `rows` (newest first) when it was planned. A write in between changes
 * what is read; `changed` then hears of it, so that the digest of the planned rows is not recorded
 * for a document rendered from others (it would pass for current if the rows came back).
 */
export const readLate =
  (
    store: ArticleStore,
    selection: Selection,
    rows: readonly RowSummary[],
    after: Cursor | undefined,
    changed: () => void,
  ) =>
  async (): Promise<Article[]> => {
    const articles = await store.newestFor(selection, rows.length, after)
    if (!sameRows(articles, rows)) changed()
    return articles
  }
