// What a build takes down: the outputs (and files) of feeds, pages and archive months that no longer
// exist, in memory or on the shelf (stable pages, archives). It keeps what it produced, the site's
// pages, and what feeds it did not rebuild still serve.
import type { FeedDefinition } from '../feeds/catalog.js'
import { FORMAT_NAMES } from '../feeds/formats.js'
import {
  ARCHIVE_ROOT,
  FEEDS_DIR_FILE_NAMES,
  feedUrlPath,
  servedPath,
  viewUrlPath,
} from '../feeds/paths.js'
import { fileFor, listFeedFiles, removeFile, removeOutputFiles } from '../publish/files.js'
import type { PublishedOutputs } from '../publish/outputs.js'
import { isShelvedPath, type Shelf } from '../publish/shelf.js'
import type { ArchiveBuild } from './archives.js'
import { SITE_PAGES } from './site-pages.js'

export interface RetireInput {
  outputs: PublishedOutputs
  shelf: Shelf | undefined
  feedsDir: string
  catalog: readonly FeedDefinition[]
  /** The feeds this build rebuilt: their documents not produced again are gone. */
  due: readonly FeedDefinition[]
  /** Paths of the documents this build produced. */
  produced: ReadonlySet<string>
  /** Whether feeds/ is also searched for files nothing serves (a full build). */
  prune: boolean
  archives: ArchiveBuild | undefined
}

/** The URL paths to keep: documents produced, the site's pages, feeds not rebuilt. */
const keeping = (input: RetireInput): Set<string> => {
  const live = new Set(input.catalog.map((d) => d.key))
  const rebuilt = new Set(input.due.map((d) => d.key))
  return new Set([
    ...SITE_PAGES,
    ...[...input.produced].flatMap((path) => [
      viewUrlPath(path),
      ...FORMAT_NAMES.map((f) => feedUrlPath(path, f)),
    ]),
    ...[...input.outputs.list(), ...shelvedPages(input.shelf)]
      .filter((o) => live.has(o.feedKey) && !rebuilt.has(o.feedKey))
      .map((o) => o.urlPath),
  ])
}

/** The feeds' stable pages on the shelf (the archive's months are archives.ts's to take down). */
const shelvedPages = (shelf: Shelf | undefined) =>
  (shelf?.list() ?? []).filter((o) => !o.urlPath.startsWith(ARCHIVE_ROOT))

/**
 * Takes the stable pages not kept off the shelf, and out of memory the copies of what the shelf
 * serves (restored from feeds/ before they were shelved; their files are the shelf's).
 */
const takeOffShelf = async (input: RetireInput, keep: ReadonlySet<string>): Promise<string[]> => {
  const { outputs, shelf } = input
  if (!shelf) return []
  const gone = shelvedPages(shelf)
    .map((o) => o.urlPath)
    .filter((path) => !keep.has(path))
  for (const path of gone) await shelf.remove(path)
  for (const { urlPath } of outputs.list()) {
    if (isShelvedPath(urlPath) && shelf.get(urlPath)) outputs.remove(urlPath)
  }
  return gone
}

/** Takes down what is not kept, from memory and feeds/; returns the URL paths taken down. */
const takeDown = async (input: RetireInput, keep: ReadonlySet<string>): Promise<string[]> => {
  const { outputs, shelf, feedsDir } = input
  const published = outputs.list().map((o) => o.urlPath)
  const onDisk = input.prune ? await listFeedFiles(feedsDir, FEEDS_DIR_FILE_NAMES) : []
  const stale = [...new Set([...published, ...onDisk])].filter((path) => {
    const served = servedPath(path)
    return !keep.has(served) && !shelf?.get(served)
  })
  for (const path of stale) {
    outputs.remove(path)
    // An output's compressed files go with it (those found on disk are listed on their own).
    if (servedPath(path) === path) await removeOutputFiles(feedsDir, path)
    else await removeFile(fileFor(feedsDir, path))
  }
  return stale.filter((path) => servedPath(path) === path)
}

/** Documents of feeds not rebuilt stay; those of feeds or months that are gone go. */
export const retire = async (input: RetireInput): Promise<string[]> => {
  const keep = keeping(input)
  const shelved = await takeOffShelf(input, keep)
  const taken = await takeDown(input, keep)
  return [...new Set([...shelved, ...taken, ...((await input.archives?.takeDownGone()) ?? [])])]
}
