// Opening the SQLite file every concern of the embedded store shares: WAL (or its exclusive
// fallback on a full disk), the schema brought up to date, and the error guard.
import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import Database from 'better-sqlite3'
import { describeCause, StoreError, storeFailureKind } from '../lib/errors.js'
import { SQLITE_MIGRATIONS } from './migrations/sqlite.js'

/** Runs a statement (or transaction), turning its failure into a StoreError naming `what`. */
export type Guard = <T>(what: string, run: () => T) => Promise<T>

export const guard: Guard = (what, run) => {
  try {
    return Promise.resolve(run())
  } catch (cause) {
    return Promise.reject(new StoreError(`store/sqlite: ${what} failed`, { cause }))
  }
}

const migrate = (db: Database.Database): void => {
  const current = db.pragma('user_version', { simple: true }) as number
  SQLITE_MIGRATIONS.slice(current).forEach((step, i) => {
    db.transaction(() => {
      db.exec(step)
      db.pragma(`user_version = ${current + i + 1}`)
    })()
  })
}

/**
 * Opens the file in WAL mode. WAL needs a shared-memory file beside the database, which cannot be
 * made on a full disk (SQLITE_IOERR_SHMSIZE); then the file is opened in exclusive locking mode,
 * where WAL keeps its index in memory (sqlite.org/wal.html §"Use of WAL without shared memory"):
 * reads work, writes fail with SQLITE_FULL until space is freed, and the service still starts and
 * serves. Other processes cannot open the store until this one restarts.
 */
const connect = (path: string, warn: (message: string) => void): Database.Database => {
  const db = new Database(path)
  try {
    db.pragma('journal_mode = WAL')
    return db
  } catch (cause) {
    db.close()
    if (path === ':memory:' || storeFailureKind(cause) === 'other') throw cause
    const fallback = new Database(path)
    fallback.pragma('locking_mode = EXCLUSIVE')
    fallback.pragma('journal_mode = WAL')
    warn(
      `store/sqlite: cannot open ${path} in shared mode (${describeCause(cause)}): opened it ` +
        'in exclusive mode; writes fail until space is freed, other processes cannot open it ' +
        'until this one restarts',
    )
    return fallback
  }
}

/** Opens (creating if needed) the SQLite file at `path` and brings its schema up to date. */
export const openDatabase = (path: string, warn: (message: string) => void): Database.Database => {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true })
  const db = connect(path, warn)
  db.pragma('synchronous = NORMAL')
  db.pragma('foreign_keys = ON')
  db.pragma('busy_timeout = 5000')
  // 8 MiB of page cache, held for the life of the process once filled. The reads that matter,
  // "newest N" of a feed, touch a few pages at the newest end of an index; a build's reads of whole
  // months touch each page once, or twice in a row (a month's summaries, then its parts), and a
  // month of the bench's articles (~4 MB) fits. Whatever is not here is one pread away in the
  // kernel's page cache, which is not this process's memory: 64 MiB held 56 MiB of RSS more for no
  // measurable speed (reading 40 months twice, bench store of 100k: 680 ms CPU with either size).
  db.pragma('cache_size = -8192')
  migrate(db)
  return db
}
