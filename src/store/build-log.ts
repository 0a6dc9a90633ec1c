// The build log contract: what builds consumed (change markers), their ids, lock and reports, and
// the id scheme the first build recorded.

/** Selections touched by writes after a marker, and the marker to ask from next time. */
export interface ChangeSet {
  marker: number
  /** Keys as `selectionKey` gives them; empty when nothing changed. */
  touched: ReadonlySet<string>
}

/**
 * How item and feed ids are minted, recorded in the store the first time the site is built and
 * never changed afterwards, so that ids survive a move of SITE_URL: an RFC 4151 `tag:` authority
 * and date, or, for a store that published URL ids before tag ids existed, the base URL it used.
 */
export type IdScheme =
  { kind: 'tag'; authority: string; date: string } | { kind: 'url'; base: string }

/**
 * What the builder keeps between builds, shared by every instance over one store. The change log
 * it reads is written by the article writes (articles.ts), in their transactions.
 */
export interface BuildLog {
  /** The selections touched by writes after `marker` (0: since the beginning). */
  changedSince(marker: number): Promise<ChangeSet>
  /** The marker of the latest write, without the selections (cheap: for full builds). */
  changeMarker(): Promise<number>
  /** Drops the change log up to `marker`, once a build has consumed it. */
  forgetChanges(marker: number): Promise<void>
  /** The change marker the last build consumed (shared by every instance), if any build ran. */
  builtMarker(): Promise<number | undefined>
  saveBuiltMarker(marker: number): Promise<void>
  /** A build id never handed out before, by any instance sharing this store. */
  nextBuildId(): Promise<number>
  /**
   * Runs `build` while holding the store-wide build lock, so that instances sharing the store build
   * one at a time; a lock whose holder dies is released by the store.
   */
  withBuildLock<T>(build: () => Promise<T>): Promise<T>
  /** Keeps a build report (opaque JSON) under its id; only the newest `keep` are retained. */
  saveBuildReport(id: number, json: string, keep: number): Promise<void>
  buildReport(id: number): Promise<string | undefined>
  /** The report with the highest id, with that id. */
  latestBuildReport(): Promise<{ id: number; json: string } | undefined>
  /**
   * The id scheme recorded for this store. With none recorded, records `fresh`; a store upgraded
   * from URL ids (its migration marks it) records `legacy`, whose base is the SITE_URL of then.
   */
  idScheme(proposal: { fresh: IdScheme; legacy: IdScheme }): Promise<IdScheme>
}
