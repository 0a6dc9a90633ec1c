// Published outputs kept on disk instead of in memory: the site's monthly archives, which together
// hold the whole history, and every feed's stable pages (and their pages for people), which together
// hold FEED_PAGES - 1 times what the subscription documents do. Each is written once per change as
// identity, .gz and .br files (the names static servers' gzip_static/brotli_static look for); only
// its validators stay in memory, and in a manifest beside the files (with a digest of what each
// document held), so that a restart does not render them again when nothing in them changed.
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { archiveMonthOf, documentPathOf, isStablePagePath } from '../feeds/paths.js'
import type { Logger } from '../log.js'
import { type Coding, compress, type Encoded } from './encodings.js'
import {
  commitStaged,
  fileFor,
  removeFile,
  type StagedFiles,
  writeAllAtomically,
  writeAtomically,
} from './files.js'
import type { OutputFormat, PublishedOutputs, RenderedOutput } from './outputs.js'
import { markChanging, markSaved, recoverShelf } from './shelf-recovery.js'

/**
 * Whether an output (by URL path) is kept on the shelf rather than in memory, when there is a
 * shelf: an archive document or a stable page, or the page for people of either.
 */
export const isShelvedPath = (urlPath: string): boolean =>
  archiveMonthOf(urlPath) !== undefined || isStablePagePath(documentPathOf(urlPath))

/** An output on the shelf: what a response needs besides the bytes. */
export interface ShelvedOutput {
  urlPath: string
  feedKey: string
  format: OutputFormat
  contentType: string
  etag: string
  lastModified: Date
}

/**
 * An output whose files a build thread wrote under temporary names (files.ts `stageFilesSync`, at the
 * places `shelfFiles` gives): putting it renames them into place.
 */
export type StagedOutput = ShelvedOutput & { staged: StagedFiles }

/** What the shelf's contents were built from: the store's change marker and the settings. */
export interface ShelfBasis {
  marker: number
  fingerprint: string
}

export interface Shelf {
  /** The directory its files are under (feeds/), as `shelfFiles` places them. */
  readonly feedsDir: string
  get(urlPath: string): ShelvedOutput | undefined
  list(): ShelvedOutput[]
  /** Compresses (unless given its compressed forms) and writes the output's files, then records it. */
  put(output: RenderedOutput, encoded?: Encoded): Promise<ShelvedOutput>
  /** Renames a staged output's files into place, then records it. */
  putStaged(output: StagedOutput): Promise<ShelvedOutput>
  remove(urlPath: string): Promise<void>
  /** The bytes of one coding of a shelved output, read from its file. */
  read(output: ShelvedOutput, coding: Coding): Promise<Uint8Array<ArrayBuffer>>
  /** The digest of what a document (by document path) held when the builder last published it. */
  sourceOf(documentPath: string): string | undefined
  /** Records that digest (saved with the manifest); putting or removing any of its outputs drops it. */
  recordSource(documentPath: string, source: string): void
  basis(): ShelfBasis | undefined
  /** Records what the shelf is now current for, in the manifest. */
  save(basis: ShelfBasis): Promise<void>
}

interface Manifest {
  version: 1
  basis: ShelfBasis
  outputs: Array<Omit<ShelvedOutput, 'lastModified'> & { lastModified: string }>
  /** Document path → digest of what it held (absent in manifests written before parts). */
  sources?: Record<string, string>
}

const SUFFIX: Readonly<Record<Coding, string>> = { identity: '', gzip: '.gz', br: '.br' }

/** The file of one coding of a shelved output under `feedsDir` (what a follower reads too). */
export const shelvedFileOf = (feedsDir: string, urlPath: string, coding: Coding): string =>
  `${fileFor(feedsDir, urlPath)}${SUFFIX[coding]}`

/**
 * An output's files on the shelf under `feedsDir`, in the order they are to replace the old ones:
 * the identity file last, so that a static server never finds it newer than its compressed forms.
 */
export const shelfFiles = (
  feedsDir: string,
  urlPath: string,
  body: Uint8Array,
  encoded: Encoded,
): Array<{ path: string; bytes: Uint8Array }> => {
  const fileOf = (coding: Coding) => shelvedFileOf(feedsDir, urlPath, coding)
  return [
    { path: fileOf('gzip'), bytes: encoded.gzip },
    { path: fileOf('br'), bytes: encoded.br },
    { path: fileOf('identity'), bytes: body },
  ]
}

/** What a manifest says, or nothing when it cannot be read whole. */
const readManifest = async (
  manifestPath: string,
): Promise<{ basis?: ShelfBasis; outputs: ShelvedOutput[]; sources: Map<string, string> }> => {
  try {
    const manifest = JSON.parse(await readFile(manifestPath, 'utf8')) as Manifest
    if (manifest.version === 1) {
      return {
        basis: manifest.basis,
        outputs: manifest.outputs.map((o) => ({ ...o, lastModified: new Date(o.lastModified) })),
        sources: new Map(Object.entries(manifest.sources ?? {})),
      }
    }
  } catch {
    // No manifest (first start) or a damaged one: everything on the shelf is rebuilt.
  }
  return { outputs: [], sources: new Map() }
}

/** Writes what the shelf holds and was built from, whole or not at all. */
const writeManifest = (
  manifestPath: string,
  shelf: { basis: ShelfBasis; outputs: Iterable<ShelvedOutput>; sources: Map<string, string> },
): Promise<void> => {
  const manifest: Manifest = {
    version: 1,
    basis: shelf.basis,
    outputs: [...shelf.outputs].map((o) => ({ ...o, lastModified: o.lastModified.toISOString() })),
    sources: Object.fromEntries(shelf.sources),
  }
  return writeAtomically(manifestPath, new TextEncoder().encode(JSON.stringify(manifest)))
}

/** What the manifest says, with its outputs as their files are now (shelf-recovery.ts). */
const loadManifest = async (
  feedsDir: string,
  manifestPath: string,
  log: Pick<Logger, 'info'> | undefined,
): ReturnType<typeof readManifest> => {
  const read = await readManifest(manifestPath)
  const filesOf = (urlPath: string) => ({
    identity: shelvedFileOf(feedsDir, urlPath, 'identity'),
    gzip: shelvedFileOf(feedsDir, urlPath, 'gzip'),
    br: shelvedFileOf(feedsDir, urlPath, 'br'),
  })
  const { outputs, recovered } = await recoverShelf(
    manifestPath,
    read.outputs,
    read.sources,
    filesOf,
  )
  if (recovered.length > 0)
    log?.info(
      `archive shelf: ${recovered.length} outputs changed after its manifest was last saved ` +
        '(a run that ended during a build); their validators were read again from their files',
    )
  return { ...read, outputs }
}

/**
 * Keeps the marker that says the shelf's files changed since its manifest was saved
 * (shelf-recovery.ts): written before the first change after a save, removed by the save unless
 * a change came meanwhile. Its writes and removals run in order, and a change waits for the
 * marker to be written before it touches a file.
 */
const changeMarker = (manifestPath: string) => {
  let changing = false
  let done: Promise<void> = Promise.resolve()
  const inOrder = (op: () => Promise<void>) => (done = done.then(op, op))
  const fail = (error: unknown): never => {
    changing = false
    throw error
  }
  return {
    beforeChange: async (): Promise<void> => {
      if (!changing) {
        changing = true
        // Not written (a full disk): the next change tries again.
        const mark = () => markChanging(manifestPath).catch(fail)
        void inOrder(mark)
      }
      await done
    },
    /** Saves with `write`; the marker goes unless a change came while it wrote. */
    save: async (write: () => Promise<void>): Promise<void> => {
      changing = false
      await write()
      await inOrder(async () => {
        if (!changing) await markSaved(manifestPath)
      })
    },
  }
}

/**
 * Opens the shelf under `feedsDir`, trusting a manifest only if it can be read whole; when the last
 * run changed it and did not save it, the outputs changed since are read again from their files.
 */
export const openShelf = async (feedsDir: string, log?: Pick<Logger, 'info'>): Promise<Shelf> => {
  const manifestPath = join(feedsDir, 'archive', 'manifest.json')
  const read = await loadManifest(feedsDir, manifestPath, log)
  const { sources } = read
  const byPath = new Map(read.outputs.map((o) => [o.urlPath, o]))
  const marker = changeMarker(manifestPath)
  let basis = read.basis
  const fileOf = (urlPath: string, coding: Coding) => shelvedFileOf(feedsDir, urlPath, coding)
  const record = (output: ShelvedOutput & { body?: unknown; staged?: unknown }): ShelvedOutput => {
    const { body: _body, staged: _staged, ...shelved } = output
    byPath.set(output.urlPath, shelved)
    // Written by whoever (this builder, or another instance's build synced here): the digest
    // is the builder's to record again once the whole document is published.
    sources.delete(documentPathOf(output.urlPath))
    return shelved
  }
  return {
    feedsDir,
    get: (urlPath) => byPath.get(urlPath),
    list: () => [...byPath.values()],
    put: async (output, given) => {
      const encoded = given ?? (await compress(output.body))
      await marker.beforeChange()
      // All three or none (a full disk fails them before any is replaced), so that every coding
      // serves one version.
      await writeAllAtomically(shelfFiles(feedsDir, output.urlPath, output.body, encoded))
      return record(output)
    },
    putStaged: async (output) => {
      await marker.beforeChange()
      await commitStaged(output.staged)
      return record(output)
    },
    remove: async (urlPath) => {
      await marker.beforeChange()
      byPath.delete(urlPath)
      sources.delete(documentPathOf(urlPath))
      for (const coding of Object.keys(SUFFIX) as Coding[])
        await removeFile(fileOf(urlPath, coding))
    },
    read: async (output, coding) => {
      const bytes = await readFile(fileOf(output.urlPath, coding))
      return new Uint8Array(
        bytes.buffer,
        bytes.byteOffset,
        bytes.byteLength,
      ) as Uint8Array<ArrayBuffer>
    },
    sourceOf: (documentPath) => sources.get(documentPath),
    recordSource: (documentPath, source) => {
      sources.set(documentPath, source)
    },
    basis: () => basis,
    save: async (next) => {
      basis = next
      await marker.save(() =>
        writeManifest(manifestPath, { basis: next, outputs: byPath.values(), sources }),
      )
    },
  }
}

/**
 * Puts an output on the shelf and out of memory: a copy restored from feeds/ before the shelf held
 * it is served from the shelf from now on. What the builder and the outputs shared between
 * instances both do.
 */
export const shelve = async (
  shelf: Shelf,
  outputs: PublishedOutputs,
  output: RenderedOutput | StagedOutput,
  encoded?: Encoded,
): Promise<ShelvedOutput> => {
  const shelved = await ('staged' in output ? shelf.putStaged(output) : shelf.put(output, encoded))
  if (outputs.get(output.urlPath)) outputs.remove(output.urlPath)
  return shelved
}
