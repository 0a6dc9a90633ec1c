// Atomic writes of published outputs into feeds/, mirroring their URL paths.
import { randomBytes } from 'node:crypto'
import { mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises'
import { dirname, join, relative, sep } from 'node:path'
import { COMPRESSED_SUFFIXES, fileOf, urlPathOfFile } from '../feeds/paths.js'

/** Where an output's file is on disk (which file: feeds/paths.ts). */
export const fileFor = (feedsDir: string, urlPath: string): string =>
  join(feedsDir, ...fileOf(urlPath).split('/'))

/**
 * Writes to a temporary file beside the target, then renames it over the target: a static server
 * reading the directory sees the old file or the new one, never half of one. No fsync: every start
 * rebuilds all files from the store, so a crash costs nothing that a restart does not restore.
 */
export const writeAtomically = (path: string, bytes: Uint8Array): Promise<void> =>
  writeAllAtomically([{ path, bytes }])

/**
 * Writes several files so that either all of them change or none does, as far as a full disk
 * goes: every temporary file is written first (where ENOSPC strikes), then all are renamed.
 */
export const writeAllAtomically = async (
  files: ReadonlyArray<{ path: string; bytes: Uint8Array }>,
): Promise<void> => {
  const staged: Array<{ path: string; temporary: string }> = []
  try {
    for (const { path, bytes } of files) {
      await mkdir(dirname(path), { recursive: true })
      const temporary = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`
      staged.push({ path, temporary })
      await writeFile(temporary, bytes)
    }
    for (const { path, temporary } of staged) await rename(temporary, path)
  } catch (error) {
    await Promise.all(staged.map(({ temporary }) => rm(temporary, { force: true })))
    throw error
  }
}

export const removeFile = (path: string): Promise<void> => rm(path, { force: true })

/**
 * Writes an output's file with its .gz and .br forms beside it (what nginx's gzip_static and
 * brotli_static serve); the identity file last, so a static server never finds it newer than them.
 */
export const writeOutputFiles = async (
  feedsDir: string,
  urlPath: string,
  body: Uint8Array,
  encoded: { gzip: Uint8Array; br: Uint8Array },
): Promise<void> => {
  const file = fileFor(feedsDir, urlPath)
  await writeAtomically(`${file}.gz`, encoded.gzip)
  await writeAtomically(`${file}.br`, encoded.br)
  await writeAtomically(file, body)
}

/** Removes an output's file and its compressed forms. */
export const removeOutputFiles = async (feedsDir: string, urlPath: string): Promise<void> => {
  const file = fileFor(feedsDir, urlPath)
  for (const suffix of ['', ...COMPRESSED_SUFFIXES]) await removeFile(file + suffix)
}

/** URL paths of every feed file under `feedsDir` (for pruning feeds that no longer exist). */
export const listFeedFiles = async (
  feedsDir: string,
  names: readonly string[],
): Promise<string[]> => {
  const entries = await readdir(feedsDir, { recursive: true, withFileTypes: true }).catch(() => [])
  return entries
    .filter((e) => e.isFile() && names.includes(e.name))
    .map((e) => urlPathOfFile(relative(feedsDir, join(e.parentPath, e.name)).split(sep).join('/')))
}
