// A worker's copy of what the primary serves: outputs in memory, and the shelf's validators (the
// archive files themselves are read from FEEDS_DIR, where the primary's shelf wrote them).
import { readFile } from 'node:fs/promises'
import {
  createPublishedOutputs,
  type PublishedOutput,
  type PublishedOutputs,
} from '../publish/outputs.js'
import { type Shelf, type ShelvedOutput, shelvedFileOf } from '../publish/shelf.js'
import type { OutputChange } from './messages.js'

const readOnly = (what: string) => () => {
  throw new Error(`cluster/follower: a worker does not ${what}; the primary does`)
}

/** The shelf as a worker serves it: lookups and file reads; every write is the primary's. */
const followerShelf = (feedsDir: string, byPath: Map<string, ShelvedOutput>): Shelf => ({
  feedsDir,
  get: (urlPath) => byPath.get(urlPath),
  list: () => [...byPath.values()],
  read: async (output, coding) => {
    const bytes = await readFile(shelvedFileOf(feedsDir, output.urlPath, coding))
    return new Uint8Array(
      bytes.buffer,
      bytes.byteOffset,
      bytes.byteLength,
    ) as Uint8Array<ArrayBuffer>
  },
  put: readOnly('write the shelf'),
  putStaged: readOnly('write the shelf'),
  remove: readOnly('write the shelf'),
  sourceOf: () => undefined,
  recordSource: readOnly('record sources'),
  basis: () => undefined,
  save: readOnly('save the shelf'),
})

export interface Follower {
  outputs: PublishedOutputs
  /** Absent with ARCHIVES=false. */
  shelf: Shelf | undefined
  /** Replaces everything with the primary's snapshot. */
  reset(outputs: PublishedOutput[], shelved: ShelvedOutput[]): void
  apply(changes: readonly OutputChange[]): void
}

export const createFollower = (feedsDir: string, archives: boolean): Follower => {
  const outputs = createPublishedOutputs()
  const shelved = new Map<string, ShelvedOutput>()
  return {
    outputs,
    shelf: archives ? followerShelf(feedsDir, shelved) : undefined,
    reset(all, onShelf) {
      for (const output of outputs.list()) outputs.remove(output.urlPath)
      for (const output of all) outputs.put(output)
      shelved.clear()
      for (const output of onShelf) shelved.set(output.urlPath, output)
    },
    apply(changes) {
      for (const change of changes) {
        if (change.kind === 'put') outputs.put(change.output)
        else if (change.kind === 'remove') outputs.remove(change.urlPath)
        else if (change.kind === 'shelve') shelved.set(change.output.urlPath, change.output)
        else shelved.delete(change.urlPath)
      }
    },
  }
}
