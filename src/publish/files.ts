// Atomic writes of published outputs into feeds/, mirroring their URL paths.
import { randomBytes } from 'node:crypto'
import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { mkdir, opendir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises'
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

/** Files written under temporary names beside the ones they are to replace, not yet renamed. */
export type StagedFiles = ReadonlyArray<{ path: string; temporary: string }>

// Beside the target, on its file system, so that renaming it over the target is atomic.
const temporaryFor = (path: string): string =>
  `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`

/**
 * Writes each file under a temporary name beside its target, where a full disk strikes; nothing
 * is replaced until `commitStaged` renames them. On error, what was written is removed.
 */
export const stageFiles = async (
  files: ReadonlyArray<{ path: string; bytes: Uint8Array }>,
): Promise<StagedFiles> => {
  const staged: Array<{ path: string; temporary: string }> = []
  try {
    for (const { path, bytes } of files) {
      await mkdir(dirname(path), { recursive: true })
      const temporary = temporaryFor(path)
      staged.push({ path, temporary })
      await writeFile(temporary, bytes)
    }
    return staged
  } catch (error) {
    await discardStaged(staged)
    throw error
  }
}

/**
 * `stageFiles` on the calling thread: a build thread stages a document's files as it produces them,
 * rather than idling while libuv's pool (shared with the serving thread) writes them.
 */
export const stageFilesSync = (
  files: ReadonlyArray<{ path: string; bytes: Uint8Array }>,
): StagedFiles => {
  const staged: Array<{ path: string; temporary: string }> = []
  try {
    for (const { path, bytes } of files) {
      mkdirSync(dirname(path), { recursive: true })
      const temporary = temporaryFor(path)
      staged.push({ path, temporary })
      writeFileSync(temporary, bytes)
    }
    return staged
  } catch (error) {
    for (const { temporary } of staged) rmSync(temporary, { force: true })
    throw error
  }
}

/** Renames staged files over their targets, in order; on error, those left are removed. */
export const commitStaged = async (staged: StagedFiles): Promise<void> => {
  let renamed = 0
  try {
    for (const { path, temporary } of staged) {
      await rename(temporary, path)
      renamed += 1
    }
  } catch (error) {
    await discardStaged(staged.slice(renamed))
    throw error
  }
}

/** Removes staged files that are not to be renamed (their document was not published). */
export const discardStaged = async (staged: StagedFiles): Promise<void> => {
  await Promise.all(staged.map(({ temporary }) => rm(temporary, { force: true })))
}

/**
 * Writes several files so that either all of them change or none does, as far as a full disk
 * goes: every temporary file is written first (where ENOSPC strikes), then all are renamed.
 */
export const writeAllAtomically = async (
  files: ReadonlyArray<{ path: string; bytes: Uint8Array }>,
): Promise<void> => commitStaged(await stageFiles(files))

export const removeFile = (path: string): Promise<void> => rm(path, { force: true })

// A temporary file's name (temporaryFor): what sweepTemporaries removes.
const TEMPORARY = /\.\d+\.[0-9a-f]{12}\.tmp$/

/**
 * Removes the temporary files under `dir` that were never renamed: left by a run that ended, or a
 * build thread that died, between writing and renaming them. Only those older than `olderThanMs`,
 * so that none still being written goes; read a directory at a time, whatever the tree's size.
 */
export const sweepTemporaries = async (dir: string, olderThanMs: number): Promise<number> => {
  const before = Date.now() - olderThanMs
  let removed = 0
  for await (const entry of await opendir(dir)) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) removed += await sweepTemporaries(path, olderThanMs)
    else if (entry.isFile() && TEMPORARY.test(entry.name)) {
      const { mtimeMs } = await stat(path)
      if (mtimeMs < before) {
        await rm(path, { force: true })
        removed += 1
      }
    }
  }
  return removed
}

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
