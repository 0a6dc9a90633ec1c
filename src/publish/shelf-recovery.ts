// The shelf after a run that ended between changing its files and saving its manifest (killed, or
// the power went, in the middle of a build): the manifest still holds the validators of the files
// as they were at its last save, and files written since hold other bytes. A marker beside the
// manifest is written before the first change after a save and removed by the next save, so only a
// shelf left that way is checked: each output with a file newer than the manifest gets its ETag
// from its identity file again, and its compressed forms made again from it when they are not from
// the same write. The cost follows what the unfinished build wrote, not the shelf's size.
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { dirname } from 'node:path'
import { documentPathOf } from '../feeds/paths.js'
import { strongEtag } from '../lib/hash.js'
import { compress } from './encodings.js'
import { writeAllAtomically } from './files.js'

/** What recovery reads and rewrites of an output on the shelf (shelf.ts ShelvedOutput). */
interface Validated {
  urlPath: string
  etag: string
  lastModified: Date
}

/** The marker's path beside the manifest's. */
export const changingMarkerOf = (manifestPath: string): string => `${manifestPath}.changing`

/** Writes the marker: the shelf's files may change from now on before the manifest says so. */
export const markChanging = async (manifestPath: string): Promise<void> => {
  await mkdir(dirname(manifestPath), { recursive: true })
  await writeFile(changingMarkerOf(manifestPath), '')
}

/** Removes the marker once the manifest holds every change. */
export const markSaved = (manifestPath: string): Promise<void> =>
  rm(changingMarkerOf(manifestPath), { force: true })

/** When a file was last written; undefined when there is none. */
const mtimeOf = (path: string): Promise<number | undefined> =>
  stat(path).then(
    (s) => s.mtimeMs,
    () => undefined,
  )

/** An output's files: the identity file, and its gzip and brotli forms. */
export interface OutputFiles {
  identity: string
  gzip: string
  br: string
}

/** An output as its files are now, and whether its bytes are other than the manifest says. */
interface Recovered<T> {
  output?: T
  changed: boolean
}

/**
 * One output as its files are now: as the manifest says when none was written after `savedAt`;
 * with the ETag of its identity file when that was (and a Last-Modified no earlier than its
 * write); with compressed forms made again from the identity file when either was written after
 * it (a later write that did not finish renaming); none when its identity file is gone.
 */
const recoverOutput = async <T extends Validated>(
  output: T,
  files: OutputFiles,
  savedAt: number,
): Promise<Recovered<T>> => {
  const [identity, gzip = Infinity, br = Infinity] = await Promise.all(
    [files.identity, files.gzip, files.br].map(mtimeOf),
  )
  if (identity === undefined) return { changed: true }
  if (identity < savedAt && gzip < savedAt && br < savedAt) return { output, changed: false }
  const body = new Uint8Array(await readFile(files.identity))
  if (gzip > identity || br > identity) {
    const encoded = await compress(body)
    await writeAllAtomically([
      { path: files.gzip, bytes: encoded.gzip },
      { path: files.br, bytes: encoded.br },
    ])
  }
  if (identity < savedAt) return { output, changed: false }
  const written = Math.floor(identity / 1000) * 1000
  const lastModified = new Date(Math.max(output.lastModified.getTime(), written))
  return { output: { ...output, etag: strongEtag(body), lastModified }, changed: true }
}

// Outputs checked at a time.
const AT_ONCE = 32

/**
 * The outputs a manifest lists, as their files are now, when the shelf was left changing (its
 * marker there); the document paths whose outputs changed lose their recorded digest (what they
 * held is not what the manifest says). `recovered`: the URL paths whose validators were read again
 * or that are gone.
 */
export const recoverShelf = async <T extends Validated>(
  manifestPath: string,
  listed: readonly T[],
  sources: Map<string, string>,
  filesOf: (urlPath: string) => OutputFiles,
): Promise<{ outputs: T[]; recovered: string[] }> => {
  const savedAt = await mtimeOf(manifestPath)
  const marked = await mtimeOf(changingMarkerOf(manifestPath))
  if (marked === undefined || savedAt === undefined) return { outputs: [...listed], recovered: [] }
  const outputs: T[] = []
  const recovered: string[] = []
  for (let at = 0; at < listed.length; at += AT_ONCE) {
    const some = listed.slice(at, at + AT_ONCE)
    const now = await Promise.all(some.map((o) => recoverOutput(o, filesOf(o.urlPath), savedAt)))
    for (const [i, { output, changed }] of now.entries()) {
      if (output) outputs.push(output)
      if (!changed) continue
      recovered.push(some[i]!.urlPath)
      sources.delete(documentPathOf(some[i]!.urlPath))
    }
  }
  return { outputs, recovered }
}
