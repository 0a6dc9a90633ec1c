// A foreign feed's entries mapped to articles (map-entry.ts) and stored in batches, with what could
// not be kept counted once per kind.
import { type Article, parseArticle } from '../articles/schema.js'
import { ValidationError } from '../lib/errors.js'
import type { ArticleStore } from '../store/articles.js'
import { putValidated } from '../store/write-path.js'
import { entriesOf, type ForeignEntry, type ForeignFeed } from './foreign.js'
import { sanitiserLosses } from './html-losses.js'
import { mapEntry } from './map-entry.js'

export { importedId } from './map-entry.js'

/** One kind of finding with how many items it concerns, and the first of them. */
export interface Finding {
  kind: string
  count: number
  /** The first few items concerned, by position and source id. */
  examples: string[]
}

export interface ImportReport {
  format: ForeignFeed['format']
  version: string
  entries: number
  created: number
  updated: number
  unchanged: number
  /** Items not imported, by reason. */
  skipped: Finding[]
  /** Items imported without something they had, by what was lost. */
  lost: Finding[]
  /** Decisions that lose nothing (an undated item's date, a feed author), by kind. */
  notes: Finding[]
}

const EXAMPLES = 3

/** Counts findings by kind, keeping a few examples; reports them in the order first seen. */
const tallyOf = () => {
  const kinds = new Map<string, Finding>()
  return {
    add(kind: string, where: string) {
      const found = kinds.get(kind) ?? { kind, count: 0, examples: [] }
      found.count += 1
      if (found.examples.length < EXAMPLES) found.examples.push(where)
      kinds.set(kind, found)
    },
    list: (): Finding[] => [...kinds.values()],
  }
}
type Tally = ReturnType<typeof tallyOf>

export interface MappedFeed {
  articles: Article[]
  skipped: Finding[]
  lost: Finding[]
  notes: Finding[]
}

/**
 * A mapper over one feed's entries, in order: each entry becomes an article or a skip, findings are
 * tallied per kind. Linear: repeated ids are found with a set.
 */
const createMapper = (feed: ForeignFeed, importedAt: string) => {
  const ids = new Set<string>()
  const skipped = tallyOf()
  const lost = tallyOf()
  const notes = tallyOf()
  return {
    map(entry: ForeignEntry, i: number): Article | undefined {
      const where = `#${i + 1}${entry.sourceId ? ` ${entry.sourceId}` : ''}`
      // An item's findings count once per kind, however often the item has it.
      const seen = new Set<string>()
      const once = (tally: Tally) => (kind: string) => {
        if (seen.has(kind)) return
        seen.add(kind)
        tally.add(kind, where)
      }
      const mapped = mapEntry(entry, { feed, importedAt, lost: once(lost), note: once(notes) })
      if (typeof mapped === 'string') return void skipped.add(mapped, where)
      try {
        const article = parseArticle(mapped)
        if (ids.has(article.id)) return void skipped.add('repeats an earlier id', where)
        ids.add(article.id)
        if (typeof mapped.contentHtml === 'string')
          for (const kind of sanitiserLosses(mapped.contentHtml, article)) once(lost)(kind)
        return article
      } catch (error) {
        const detail =
          error instanceof ValidationError
            ? error.issues.map((x) => `${x.path}: ${x.message}`).join('; ')
            : String(error)
        skipped.add(`invalid after mapping (${detail})`, where)
        return undefined
      }
    },
    findings: () => ({
      skipped: skipped.list(),
      lost: lost.list(),
      notes: [...notes.list(), ...feedNotes(feed)],
    }),
  }
}

/** Maps every entry; those that cannot become a valid article are skipped with the reason. */
export const mapFeed = (feed: ForeignFeed, importedAt = new Date().toISOString()): MappedFeed => {
  const mapper = createMapper(feed, importedAt)
  const articles = entriesOf(feed)
    .map((entry, i) => mapper.map(entry, i))
    .filter((a): a is Article => a !== undefined)
  return { articles, ...mapper.findings() }
}

/** The feed's own metadata is replaced by the site's configuration: said once, as a note. */
const feedNotes = (feed: ForeignFeed): Finding[] =>
  feed.unkept.length === 0
    ? []
    : [
        {
          kind: `feed metadata not kept, the site's configuration replaces it: ${[...new Set(feed.unkept)].join(', ')}`,
          count: 1,
          examples: ['the feed'],
        },
      ]

/** Whether anything was skipped or lost: the import is then not complete (exit code 1). */
export const isLossy = (report: Pick<ImportReport, 'skipped' | 'lost'>): boolean =>
  report.skipped.length + report.lost.length > 0

// Entries mapped and stored per transaction: memory stays bounded by a batch, not the feed.
const BATCH = 1_000

/**
 * Imports a parsed feed in batches of BATCH items, each one transaction (an interrupted import is
 * completed by running it again: ids are stable); articles equal to the stored ones are left
 * untouched. With `dryRun`, reports what would happen and writes nothing.
 */
export const importFeed = async (
  store: ArticleStore,
  feed: ForeignFeed,
  options: {
    onProgress?: (done: number, total: number) => void
    dryRun?: boolean
    importedAt?: string
  } = {},
): Promise<ImportReport> => {
  const mapper = createMapper(feed, options.importedAt ?? new Date().toISOString())
  const total = feed.size
  let created = 0
  let changedCount = 0
  let imported = 0
  let read = 0
  let batch: Article[] = []
  // Each batch is compared with the store and written before the next is read.
  const flush = async () => {
    imported += batch.length
    const changed = await putValidated(store, batch, options)
    created += changed.filter((w) => w.previous === undefined).length
    changedCount += changed.length
    batch = []
    options.onProgress?.(read, total)
  }
  for (const entry of feed.entries()) {
    const article = mapper.map(entry, read)
    read += 1
    if (article) batch.push(article)
    if (read % BATCH === 0) await flush()
  }
  if (read % BATCH !== 0) await flush()
  return {
    format: feed.format,
    version: feed.version,
    entries: total,
    created,
    updated: changedCount - created,
    unchanged: imported - changedCount,
    ...mapper.findings(),
  }
}
