// The site feed's monthly archives in a build: which months to render, and the shelf kept current.
// Archives hold the whole history, so they are rendered only when a month changed, also across
// restarts: the shelf's manifest says which store state and settings it was built from.
import type { FeedDefinition } from '../feeds/catalog.js'
import { archivePath, documentPathOf, feedUrlPath } from '../feeds/paths.js'
import { strongEtag } from '../lib/hash.js'
import type { Shelf } from '../publish/shelf.js'
import type { ArchiveMonth, Store } from '../store/store.js'
import { archiveKey, archivesDue, planArchives, type PlannedDocument } from './documents.js'

// Bump when archive rendering changes, so that archives built by older code are rebuilt.
const ARCHIVE_RENDERING = 1

/** A fingerprint of everything besides the store that goes into an archive document. */
export const archiveFingerprint = (settings: unknown): string =>
  strongEtag(new TextEncoder().encode(JSON.stringify({ ARCHIVE_RENDERING, settings })))

export interface ArchiveBuild {
  months: ArchiveMonth[]
  /** Months to render in this build. */
  due: Set<string>
  /** The documents to render, a month at a time. */
  documents(): AsyncGenerator<PlannedDocument>
  /** Takes the documents of months that no longer have articles off the shelf. */
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

export const startArchiveBuild = async (options: {
  store: Pick<Store, 'articles' | 'builds'>
  shelf: Shelf
  site: FeedDefinition
  fingerprint: string
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
}): Promise<ArchiveBuild> => {
  const { store, shelf, last, fingerprint } = options
  const months = await store.articles.months()
  const basis = shelf.basis()
  const trusted =
    !options.full &&
    last !== undefined &&
    (options.synced || (basis?.marker === last && basis.fingerprint === fingerprint))
  // Untrusted (first start, other settings, a full rebuild): every month; else what changed since.
  const touched = !trusted
    ? new Set(months.map((m) => `month:${m.month}`))
    : (options.touched ?? (await store.builds.changedSince(last)).touched)
  const due = archivesDue(
    months.map((m) => m.month),
    touched,
    (month) =>
      !options.failing.has(archiveKey(month)) &&
      shelf.get(feedUrlPath(archivePath(month), 'rss')) !== undefined,
  )
  for (const month of options.alsoDue) if (months.some((m) => m.month === month)) due.add(month)
  const live = new Set(months.map((m) => archivePath(m.month)))
  return {
    months,
    due,
    documents: () => planArchives(store.articles, options.site, months, due),
    takeDownGone: async () => {
      const gone = shelf
        .list()
        .map((o) => o.urlPath)
        .filter((path) => !live.has(documentPathOf(path)))
      for (const path of gone) await shelf.remove(path)
      return gone
    },
    save: (marker, failed) => shelf.save({ marker: failed ? -1 : marker, fingerprint }),
    saveInterrupted: async (at, failed) => {
      if (trusted && at !== undefined && !failed) await shelf.save({ marker: at, fingerprint })
    },
  }
}
