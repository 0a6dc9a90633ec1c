// The build log in the SQLite store: the change log the article writes fill, build ids and
// reports, the built marker and the recorded id scheme.
import type Database from 'better-sqlite3'
import type { Selection } from './articles.js'
import { selectionKey } from './articles.js'
import type { BuildLog, ChangeSet } from './build-log.js'
import {
  fromIdSchemeRow,
  type IdSchemeRow,
  idSchemeToRecord,
  toIdSchemeRow,
} from './id-scheme-rows.js'
import { guard } from './sqlite-connect.js'

const statements = (db: Database.Database) => ({
  changesAfter: db.prepare<[number], { kind: string; slug: string }>(
    'SELECT DISTINCT kind, slug FROM changes WHERE seq > ?',
  ),
  lastChange: db.prepare<[], { seq: number | null }>('SELECT MAX(seq) AS seq FROM changes'),
  // AUTOINCREMENT keeps seq rising after old rows are deleted (sqlite_sequence remembers it).
  sequence: db.prepare<[], { seq: number }>(
    "SELECT seq FROM sqlite_sequence WHERE name = 'changes'",
  ),
  forgetChanges: db.prepare('DELETE FROM changes WHERE seq <= ?'),
  newBuildId: db.prepare('INSERT INTO build_ids DEFAULT VALUES'),
  dropBuildIds: db.prepare('DELETE FROM build_ids'),
  builtMarker: db.prepare<[], { value: number }>(
    "SELECT value FROM build_state WHERE name = 'built-marker'",
  ),
  saveBuiltMarker: db.prepare(
    `INSERT INTO build_state (name, value) VALUES ('built-marker', ?)
     ON CONFLICT (name) DO UPDATE SET value = excluded.value`,
  ),
  putReport: db.prepare('INSERT OR REPLACE INTO build_reports (id, body) VALUES (?, ?)'),
  pruneReports: db.prepare('DELETE FROM build_reports WHERE id <= ?'),
  report: db.prepare<[number], { body: string }>('SELECT body FROM build_reports WHERE id = ?'),
  latestReport: db.prepare<[], { id: number; body: string }>(
    'SELECT id, body FROM build_reports ORDER BY id DESC LIMIT 1',
  ),
  idScheme: db.prepare<[], IdSchemeRow>(
    "SELECT kind, authority, date FROM id_scheme WHERE name = 'items'",
  ),
  putIdScheme: db.prepare(
    `INSERT INTO id_scheme (name, kind, authority, date) VALUES ('items', @kind, @authority, @date)
     ON CONFLICT (name) DO UPDATE SET kind = excluded.kind, authority = excluded.authority,
       date = excluded.date`,
  ),
})

/** The build log over an open, migrated database. */
export const sqliteBuildLog = (db: Database.Database): BuildLog => {
  const q = statements(db)
  /** The marker of the latest write, also when the change log has been emptied. */
  const lastSeq = (): number => q.lastChange.get()?.seq ?? q.sequence.get()?.seq ?? 0
  const recordIdScheme = db.transaction((proposal: Parameters<BuildLog['idScheme']>[0]) => {
    const row = q.idScheme.get()
    const record = idSchemeToRecord(row, proposal)
    if (record) q.putIdScheme.run(toIdSchemeRow(record))
    return record ?? fromIdSchemeRow(row!)!
  })
  return {
    changedSince: (marker): Promise<ChangeSet> =>
      guard('changedSince', () => ({
        marker: Math.max(marker, lastSeq()),
        touched: new Set(q.changesAfter.all(marker).map((r) => selectionKey(r as Selection))),
      })),
    changeMarker: () => guard('changeMarker', lastSeq),
    forgetChanges: (marker) => guard('forgetChanges', () => void q.forgetChanges.run(marker)),
    builtMarker: () => guard('builtMarker', () => q.builtMarker.get()?.value),
    saveBuiltMarker: (marker) => guard('saveBuiltMarker', () => void q.saveBuiltMarker.run(marker)),
    nextBuildId: () =>
      guard('nextBuildId', () => {
        const id = Number(q.newBuildId.run().lastInsertRowid)
        q.dropBuildIds.run() // the AUTOINCREMENT sequence remembers the last id
        return id
      }),
    // One process owns an embedded store; its scheduler already runs one build at a time.
    withBuildLock: (build) => build(),
    saveBuildReport: (id, json, keep) =>
      guard('saveBuildReport', () => {
        q.putReport.run(id, json)
        q.pruneReports.run(id - keep)
      }),
    buildReport: (id) => guard('buildReport', () => q.report.get(id)?.body),
    latestBuildReport: () =>
      guard('latestBuildReport', () => {
        const row = q.latestReport.get()
        return row && { id: row.id, json: row.body }
      }),
    idScheme: (proposal) => guard('idScheme', () => recordIdScheme(proposal)),
  }
}
