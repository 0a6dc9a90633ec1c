// The site feed's monthly archives in a build: which months to cut, which of their parts to render,
// and the shelf kept current. Archives hold the whole history, so a part is rendered only when what
// it holds or links to changed, also across restarts: the shelf's manifest says which store state
// and settings it was built from, and what each part held.
import type { FeedDefinition } from '../feeds/catalog.js'
import { archiveParts, type FeedDocument } from '../feeds/history.js'
import { archiveMonthOf, archivePath, documentPathOf, feedUrlPath } from '../feeds/paths.js'
import { TOMBSTONES_PER_FEED } from '../feeds/select.js'
import { strongEtag } from '../lib/hash.js'
import type { Shelf } from '../publish/shelf.js'
import type { ArchiveMonth, Deletion, Store } from '../store/store.js'
import {
  type ArchiveBounds,
  archiveKey,
  archivesDue,
  cutMonth,
  type DocumentToMake,
  MONTH_KEPT_BYTES,
  type MonthPart,
  planArchivePart,
} from './documents.js'
import { readRows } from './rows.js'

// Bump when archive rendering changes, so that archives built by older code are rebuilt.
// 2: months cut into bounded parts.
const ARCHIVE_RENDERING = 2

/** A fingerprint of everything besides the store that goes into an archive document. */
export const archiveFingerprint = (settings: unknown, bounds: ArchiveBounds): string =>
  strongEtag(new TextEncoder().encode(JSON.stringify({ ARCHIVE_RENDERING, settings, bounds })))

export interface ArchiveBuild {
  months: ArchiveMonth[]
  /** Months to cut in this build (only their changed parts are rendered). */
  due: Set<string>
  /** The newest archive document, which the site feed's first page links to. */
  newest: { month: string; part: number } | undefined
  /** The documents to render, a part at a time. */
  documents(): AsyncGenerator<DocumentToMake>
  /** Takes the documents of months (or parts) that no longer exist off the shelf. */
  takeDownGone(): Promise<string[]>
  /** Records the shelf as current for `marker`, unless an archive failed. */
  save(marker: number, failed: boolean): Promise<void>
  /**
   * After a build cut short: records the shelf as current for `last` (the marker this build
   * started from) when it was trusted and nothing failed. Months rendered since are at least that
   * new; months left are either not on the shelf or changed since `last`, so the next build finds
   * them due again. An untrusted shelf keeps its old basis and is rendered whole again.
   */
  saveInterrupted(last: number | undefined, failed: boolean): Promise<void>
}

export interface ArchiveBuildOptions {
  store: Pick<Store, 'articles' | 'builds'>
  shelf: Shelf
  site: FeedDefinition
  fingerprint: string
  bounds: ArchiveBounds
  /** The change marker the previous build consumed; undefined when unknown. */
  last: number | undefined
  /** The shelf was just brought up to date with every instance's builds (see BuildHooks.beforePlan). */
  synced: boolean
  full: boolean
  /** Selections touched since `last`, when the build asked (an incremental build). */
  touched: ReadonlySet<string> | undefined
  failing: ReadonlySet<string>
  /** Months to render whatever changed (left by an earlier build). */
  alsoDue: ReadonlySet<string>
}

/** What a part held and linked to when it was rendered: equal digests, equal documents. */
const partDigest = (part: MonthPart, document: FeedDocument, deletions: Deletion[]): string =>
  strongEtag(
    new TextEncoder().encode(
      JSON.stringify({
        rows: part.rows.map((r) => [r.id, r.version]),
        links: document.links,
        deletions,
      }),
    ),
  )

/** How many parts of a month the shelf holds (parts are numbered from 1 without gaps). */
const partsOnShelf = (shelf: Shelf, month: string): number => {
  let parts = 0
  while (shelf.get(feedUrlPath(archivePath(month, parts + 1), 'rss'))) parts += 1
  return parts
}

/** The months due: what changed (and neighbours), what is missing, and months with a failed part. */
const monthsDue = async (
  options: ArchiveBuildOptions,
  months: readonly ArchiveMonth[],
  trusted: boolean,
): Promise<Set<string>> => {
  const { store, shelf, last } = options
  // Untrusted (first start, other settings, a full rebuild): every month; else what changed since.
  const touched = !trusted
    ? new Set(months.map((m) => `month:${m.month}`))
    : (options.touched ?? (await store.builds.changedSince(last ?? 0)).touched)
  const due = archivesDue(
    months.map((m) => m.month),
    touched,
    (month) => !options.failing.has(archiveKey(month)) && partsOnShelf(shelf, month) > 0,
  )
  const failedMonths = [...options.failing]
    .filter((key) => key.startsWith('archive:'))
    .map((key) => key.slice('archive:'.length, 'archive:YYYY-MM'.length))
  for (const month of [...options.alsoDue, ...failedMonths]) {
    if (months.some((m) => m.month === month)) due.add(month)
  }
  return due
}

export const startArchiveBuild = async (options: ArchiveBuildOptions): Promise<ArchiveBuild> => {
  const { store, shelf, last, fingerprint } = options
  const months = await store.articles.months()
  const basis = shelf.basis()
  const trusted =
    !options.full &&
    last !== undefined &&
    (options.synced || (basis?.marker === last && basis.fingerprint === fingerprint))
  const due = await monthsDue(options, months, trusted)
  // Only how many parts each month was cut into is kept for the rest of the build: the rows of
  // every month (a million summaries at 1M articles) would stay in memory until the build ends.
  // The newest month's cut is kept until it is rendered, so the site feed links the part made;
  // without its articles, which would be held all build: its parts are read again.
  const cuts = new Map<string, number>()
  let newestCut: { month: string; parts: MonthPart[] } | undefined
  const cutOf = async (month: string, keepBytes = MONTH_KEPT_BYTES): Promise<MonthPart[]> => {
    if (newestCut?.month === month) return newestCut.parts
    const selection = { kind: 'month' as const, slug: month }
    const { summaries, articles } = await readRows(store.articles, selection, keepBytes)
    const parts = cutMonth(summaries, options.bounds, articles)
    cuts.set(month, parts.length)
    return parts
  }
  const partsOf = (month: string): number => cuts.get(month) ?? partsOnShelf(shelf, month)
  const newestMonth = months.at(-1)?.month
  // The site feed is made before the archives and links to the newest part: cut that month now.
  if (newestMonth && (due.has(newestMonth) || partsOnShelf(shelf, newestMonth) === 0)) {
    newestCut = { month: newestMonth, parts: await cutOf(newestMonth, 0) }
  }
  const parts = { cutOf, partsOf, trusted }
  return {
    months,
    due,
    newest: newestMonth
      ? { month: newestMonth, part: Math.max(1, partsOf(newestMonth)) }
      : undefined,
    documents: () => archiveDocumentsDue(options, months, due, parts),
    takeDownGone: async () => {
      const live = new Set(
        months.flatMap(({ month }) =>
          Array.from({ length: partsOf(month) }, (_, k) => archivePath(month, k + 1)),
        ),
      )
      // The shelf also holds stable pages (retire.ts takes those down).
      const gone = shelf
        .list()
        .map((o) => o.urlPath)
        .filter((path) => archiveMonthOf(path) !== undefined && !live.has(documentPathOf(path)))
      for (const path of gone) await shelf.remove(path)
      return gone
    },
    save: (marker, failed) => shelf.save({ marker: failed ? -1 : marker, fingerprint }),
    saveInterrupted: async (at, failed) => {
      if (trusted && at !== undefined && !failed) await shelf.save({ marker: at, fingerprint })
    },
  }
}

interface Cutting {
  cutOf(month: string): Promise<MonthPart[]>
  partsOf(month: string): number
  trusted: boolean
}

/**
 * The parts to render (oldest first) of the months due, read one part at a time as the caller
 * asks. A part is skipped when the shelf holds it as it would be rendered now (same rows, versions,
 * links and tombstones). A month whose number of parts changed makes the next month due too: its
 * first part's prev-archive moves. A part's digest goes with it as its `source`, which the pipeline
 * records once the part is published whole (later than the next part is asked for).
 */
async function* archiveDocumentsDue(
  options: ArchiveBuildOptions,
  months: readonly ArchiveMonth[],
  due: ReadonlySet<string>,
  cutting: Cutting,
): AsyncGenerator<DocumentToMake> {
  const { shelf, failing, store } = options
  const alsoDue = new Set<string>()
  for (const [i, { month }] of months.entries()) {
    if (!due.has(month) && !alsoDue.has(month)) continue
    const before = partsOnShelf(shelf, month)
    const parts = await cutting.cutOf(month)
    const older = months[i - 1]?.month
    const newer = months[i + 1]?.month
    if (newer && parts.length !== before) alsoDue.add(newer)
    const documents = archiveParts(options.site.path, month, parts.length, {
      ...(older && { older: archivePath(older, Math.max(1, cutting.partsOf(older))) }),
      ...(newer && { newer: archivePath(newer) }),
    })
    // RFC 6721 tombstones go in the month's newest part, which a deletion changes anyway.
    const tombstones = await store.articles.deletionsFor(
      { kind: 'month', slug: month },
      TOMBSTONES_PER_FEED,
    )
    for (const [k, part] of parts.entries()) {
      const document = documents[k]!
      const key = archiveKey(month, k + 1)
      const deletions = k === parts.length - 1 ? tombstones : []
      const digest = partDigest(part, document, deletions)
      const held =
        shelf.get(feedUrlPath(document.path, 'rss')) !== undefined &&
        shelf.sourceOf(document.path) === digest
      const skip = cutting.trusted && held && !failing.has(key)
      const made = skip
        ? undefined
        : planArchivePart(store.articles, { key, document, deletions, source: digest }, month, part)
      // The month's rows go as its parts do: the pipeline holds those in flight.
      delete part.articles
      if (made) yield made
    }
  }
}
