// Publishing what a build produced: each output put where it is served (archives and stable pages on
// the shelf, the rest in memory and feeds/, compressed) unless its bytes are already served, and the
// items each served document leaves out (quarantine.ts) kept for the report.
import { isStablePagePath } from '../feeds/paths.js'
import { compress } from '../publish/encodings.js'
import { discardStaged, writeOutputFiles } from '../publish/files.js'
import { nextLastModified, type PublishedOutputs } from '../publish/outputs.js'
import { type Shelf, shelve } from '../publish/shelf.js'
import type { ProducedDocument, ProducedOutput } from './produce.js'
import { elapsed, type QuarantinedItem, type Tally } from './report.js'

export interface PublisherOptions {
  outputs: PublishedOutputs
  /**
   * Where archive documents go (required when the build makes archives), and stable pages; without
   * one, stable pages are held in memory like the other documents.
   */
  shelf?: Shelf
  feedsDir: string
  clock: () => Date
}

export interface Publisher {
  /** Whether a document's outputs go on the shelf: an archive document, or a stable page. */
  shelves(document: { path: string; archive: boolean }): boolean
  /** Publishes one output unless its bytes are already served; false (and a failure) on error. */
  publishOutput(output: ProducedOutput, tally: Tally, shelved?: boolean): Promise<boolean>
  /**
   * Publishes a produced document: each format that passed, and its page for people when every
   * format was published; false if any format failed (the others keep their last good version).
   */
  publishDocument(produced: ProducedDocument, tally: Tally): Promise<boolean>
  /** Items left out of documents still served (a document taken down takes its list with it). */
  quarantined(): QuarantinedItem[]
  /**
   * The ETag of the version served at `urlPath` if this publisher checked and published those
   * bytes (not ones restored from disk, shelved by an earlier run or loaded from another instance);
   * with `feedKey`, only if served under that key (the same bytes then publish nothing new).
   */
  servedChecked(urlPath: string, shelved: boolean, feedKey?: string): string | undefined
  /**
   * The ETag of the version served at `urlPath` under `feedKey`, checked by this publisher or not:
   * the same bytes again publish nothing new, whoever wrote them.
   */
  servedUnder(urlPath: string, shelved: boolean, feedKey: string): string | undefined
  /**
   * Where a build thread may write a document's files before it is published (handover.ts): the
   * shelf's directory, when the document goes on the shelf.
   */
  stagingDir(document: { path: string; archive: boolean }): string | undefined
}

/** Adds the time a document took to produce to the build's timings. */
const count = ({ timings }: ProducedDocument, tally: Tally): void => {
  tally.timings.renderMs += timings.renderMs
  tally.timings.checkMs += timings.checkMs
  tally.timings.publishMs += timings.encodeMs
}

/**
 * Puts a new version where it belongs: archives and stable pages on the shelf, the rest in memory
 * and feeds/. Its compressed forms come with it from a build thread (a shelved one's files staged
 * there already), or are made now on libuv's pool. A shelved output leaves memory (a copy restored
 * from feeds/ before it was shelved).
 */
const put = async (
  { outputs, shelf, feedsDir }: PublisherOptions,
  output: ProducedOutput,
  shelved: boolean,
  tally: Tally,
): Promise<void> => {
  if (shelved && !shelf) throw new Error('archive documents need a shelf (publish/shelf.ts)')
  // Its bytes stayed on the build thread as those served, which another instance's build (synced
  // here) replaced meanwhile: the failure makes the next build render it again.
  if ('served' in output) throw new Error('its version served changed while it was produced')
  if ('staged' in output) {
    if (!shelf || !shelved)
      throw new Error('builder/publisher: staged files of an unshelved output')
    tally.shelved.push(await shelve(shelf, outputs, output))
    return
  }
  const { encoded: given, ...rendered } = output
  const encoded = given ?? (await compress(rendered.body))
  if (shelf && shelved) {
    tally.shelved.push(await shelve(shelf, outputs, rendered, encoded))
    return
  }
  await writeOutputFiles(feedsDir, rendered.urlPath, rendered.body, encoded)
  const published = { ...rendered, encoded }
  outputs.put(published)
  tally.published.push(published)
}

const messageOf = (error: unknown): string =>
  error instanceof Error ? error.message : String(error)

/** Keeps the items a produced document leaves out, by its path (none: its list goes). */
const noteQuarantined = (
  quarantine: Map<string, QuarantinedItem[]>,
  { path, quarantined }: ProducedDocument,
  tally: Tally,
): void => {
  // Undefined: the document failed with no item to blame; what was left out before stays so.
  if (!quarantined) return
  if (quarantined.length > 0) quarantine.set(path, quarantined)
  else quarantine.delete(path)
  tally.quarantined.push(...quarantined)
}

/** The items left out of documents still served (a document taken down takes its list with it). */
const stillServed = (
  quarantine: ReadonlyMap<string, QuarantinedItem[]>,
  outputs: PublishedOutputs,
  shelf: Shelf | undefined,
): QuarantinedItem[] =>
  [...quarantine.values()]
    .flat()
    .filter((q) => outputs.get(q.feed) !== undefined || shelf?.get(q.feed) !== undefined)

/**
 * The ETag served at a URL path, by whoever published it or only by this publisher after its
 * check (`checked`: URL path → the ETag it put or kept).
 */
const servedLookups = (
  served: (urlPath: string, shelved: boolean) => { etag: string; feedKey: string } | undefined,
  checked: ReadonlyMap<string, string>,
): Pick<Publisher, 'servedChecked' | 'servedUnder'> => ({
  servedChecked: (urlPath, shelved, feedKey) => {
    const version = served(urlPath, shelved)
    if (version === undefined || checked.get(urlPath) !== version.etag) return undefined
    return feedKey === undefined || version.feedKey === feedKey ? version.etag : undefined
  },
  servedUnder: (urlPath, shelved, feedKey) => {
    const version = served(urlPath, shelved)
    return version?.feedKey === feedKey ? version.etag : undefined
  },
})

export const createPublisher = (options: PublisherOptions): Publisher => {
  const { outputs, shelf, clock } = options
  const shelves = ({ path, archive }: { path: string; archive: boolean }) =>
    archive || (shelf !== undefined && isStablePagePath(path))
  const served = (urlPath: string, shelved: boolean) =>
    shelved ? shelf?.get(urlPath) : outputs.get(urlPath)
  /** The bytes this publisher put or kept after their check, by URL path. */
  const checked = new Map<string, string>()
  const publishOutput = async (output: ProducedOutput, tally: Tally, shelved = false) => {
    const started = process.hrtime.bigint()
    try {
      const previous = served(output.urlPath, shelved)
      // Same bytes under another key (restored from disk at start-up) are taken over all the same.
      if (previous?.etag === output.etag && previous.feedKey === output.feedKey) {
        tally.unchanged += 1
        checked.set(output.urlPath, output.etag)
        if ('staged' in output) await discardStaged(output.staged)
        return true
      }
      // Bytes taken over unchanged need no later date than their own: a restart keeps the date.
      const since = previous?.etag === output.etag ? undefined : previous?.lastModified
      const lastModified = nextLastModified(output.lastModified, since, clock())
      await put(options, { ...output, lastModified }, shelved, tally)
      checked.set(output.urlPath, output.etag)
      return true
    } catch (error) {
      tally.failures.push({ feed: output.urlPath, rule: 'publish', message: messageOf(error) })
      if ('staged' in output) await discardStaged(output.staged)
      return false
    } finally {
      tally.timings.publishMs += elapsed(started)
    }
  }

  /** Items left out of the documents served now, by document path. */
  const quarantine = new Map<string, QuarantinedItem[]>()

  const publishDocument = async (produced: ProducedDocument, tally: Tally) => {
    count(produced, tally)
    noteQuarantined(quarantine, produced, tally)
    let passed = true
    const shelved = shelves(produced)
    for (const format of produced.formats) {
      if ('problems' in format) {
        format.problems.forEach((p) => tally.failures.push({ feed: format.urlPath, ...p }))
        passed = false
      } else {
        passed = (await publishOutput(format.output, tally, shelved)) && passed
      }
    }
    // The page for people shows what the feed holds, so it follows only a feed that passed.
    if (passed && produced.page) await publishOutput(produced.page, tally, shelved)
    else if (produced.page && 'staged' in produced.page) await discardStaged(produced.page.staged)
    return passed
  }

  const quarantined = () => stillServed(quarantine, outputs, shelf)

  const stagingDir = (doc: { path: string; archive: boolean }) =>
    shelf && shelves(doc) ? shelf.feedsDir : undefined

  const lookups = servedLookups(served, checked)
  return { shelves, publishOutput, publishDocument, quarantined, ...lookups, stagingDir }
}
