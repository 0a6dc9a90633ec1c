// Shares published outputs between instances through the store's shared outputs (PostgreSQL): a
// build writes them there; every instance hears of it, loads what changed into memory and its feeds/
// directory, and also checks periodically, so a missed notification costs at most one interval.
import { openPostgresSharedOutputs } from '../store/postgres-shared-outputs.js'
import type { OutputToShare, SharedOutput, SharedOutputs } from '../store/shared-outputs.js'
import { isShelvedPath, type Shelf, type ShelvedOutput, shelve } from './shelf.js'
import { removeOutputFiles, writeOutputFiles } from './files.js'
import {
  type OutputFormat,
  type PublishedOutputs,
  type RenderedOutput,
  withEncodings,
} from './outputs.js'

// Rows are read a page at a time: the archives hold the whole history.
const PAGE = 200

export interface OutputSyncOptions {
  connectionString: string
  schema: string
  outputs: PublishedOutputs
  feedsDir: string
  /** Where archives and stable pages go (and come from): on disk, not in memory. */
  shelf?: Shelf
  /** The periodic check that catches notifications missed while disconnected. */
  pollMs?: number
  /** How long to wait for a connection and for a statement's answer (a frozen server). */
  connectTimeoutMs?: number
  statementTimeoutMs?: number
  onError: (error: unknown) => void
}

/** What a build published and took down. */
export interface OutputChanges {
  put: ReadonlyArray<RenderedOutput | ShelvedOutput>
  removed: readonly string[]
}

export interface OutputSync {
  /** Loads every output published since the last load (all of them the first time). */
  load(): Promise<number>
  /** Saves a build's changes and notifies the other instances, in one transaction. */
  publish(changes: OutputChanges): Promise<void>
  close(): Promise<void>
}

type Local = Pick<OutputSyncOptions, 'outputs' | 'feedsDir' | 'shelf'>

/**
 * Applies one change another instance published: to the shelf (archives, stable pages), or memory
 * and files.
 */
const apply = async ({ outputs, feedsDir, shelf }: Local, change: SharedOutput): Promise<void> => {
  const onShelf = shelf !== undefined && isShelvedPath(change.urlPath) ? shelf : undefined
  if (change.removed) {
    await onShelf?.remove(change.urlPath)
    outputs.remove(change.urlPath)
    await removeOutputFiles(feedsDir, change.urlPath)
    return
  }
  const current = onShelf ? onShelf.get(change.urlPath) : outputs.get(change.urlPath)
  if (current?.etag === change.etag) return
  const { version: _version, removed: _removed, ...fields } = change
  // Written by `publish` below from an OutputFormat.
  const rendered = { ...fields, format: fields.format as OutputFormat }
  if (onShelf) {
    await shelve(onShelf, outputs, rendered)
    return
  }
  const published = await withEncodings(rendered)
  outputs.put(published)
  await writeOutputFiles(feedsDir, change.urlPath, rendered.body, published.encoded)
}

/** The outputs to share, each with its bytes: a shelved one's read from disk as it is written. */
async function* withBodies(
  put: OutputChanges['put'],
  shelf: Shelf | undefined,
): AsyncGenerator<OutputToShare> {
  for (const o of put) {
    yield 'body' in o ? o : { ...o, body: await shelf!.read(o, 'identity') }
  }
}

/** Keeps `outputs` (and the shelf, and feeds/) up to date with what every instance shares. */
export const syncOutputs = async (
  shared: SharedOutputs,
  options: Local & Pick<OutputSyncOptions, 'pollMs' | 'onError'>,
): Promise<OutputSync> => {
  const { onError } = options
  let version = 0
  // Loads run one after another, so versions are applied in order.
  let loading: Promise<number> = Promise.resolve(0)
  const loadNow = async (): Promise<number> => {
    let loaded = 0
    for (;;) {
      const changes = await shared.changedSince(version, PAGE)
      for (const change of changes) {
        await apply(options, change)
        version = Math.max(version, change.version)
      }
      loaded += changes.length
      if (changes.length < PAGE) return loaded
    }
  }
  const load = (): Promise<number> => {
    loading = loading.catch(() => 0).then(loadNow)
    return loading
  }
  const listening = await shared.listen(() => void load().catch(onError))
  const poll = setInterval(() => load().catch(onError), options.pollMs ?? 5_000)
  poll.unref()
  return {
    load,
    publish: async ({ put, removed }) => {
      if (put.length === 0 && removed.length === 0) return
      await shared.publish({ put: withBodies(put, options.shelf), removed })
    },
    async close() {
      clearInterval(poll)
      await listening.close()
      await loading.catch(() => undefined)
      await shared.close()
    },
  }
}

/** Opens the PostgreSQL shared outputs and keeps `outputs` in sync with them. */
export const openPostgresOutputSync = async (options: OutputSyncOptions): Promise<OutputSync> => {
  const shared = openPostgresSharedOutputs(options)
  return syncOutputs(shared, options).catch(async (error: unknown) => {
    await shared.close().catch(() => undefined)
    throw error
  })
}

/**
 * The build hooks (builder.ts BuildHooks) of an instance sharing its outputs: before each build,
 * inside the build lock, it loads what other instances published, the shelf included, so that the
 * shelf is current for the last build whoever made it; after publishing, it shares what the build
 * changed, and outputs whose sharing failed go out again with the next build, even if unchanged.
 */
export const shareBuilds = (sync: OutputSync) => {
  let unshared: OutputChanges['put'] = []
  return {
    beforePlan: async () => {
      await sync.load()
      return { shelfCurrent: true }
    },
    afterPublish: async ({ put, removed }: OutputChanges): Promise<void> => {
      const all = [...new Map([...unshared, ...put].map((o) => [o.urlPath, o])).values()]
      try {
        await sync.publish({ put: all, removed })
        unshared = []
      } catch (error) {
        unshared = all
        throw error
      }
    },
  }
}
