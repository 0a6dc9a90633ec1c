// The primary's outputs and shelf, wrapped so that every change (a build's, a restore's, another
// instance's synced over PostgreSQL) is also sent to the workers, in the order it was made.
import type { PublishedOutput, PublishedOutputs } from '../publish/outputs.js'
import type { ShelvedOutput } from '../publish/shelf.js'
import type { Published } from '../service.js'
import type { OutputChange } from './messages.js'

/**
 * The bytes alone in their buffer: structured clone copies a view's whole ArrayBuffer, and a view
 * may sit in a larger pooled one.
 */
const own = (bytes: Uint8Array<ArrayBuffer>): Uint8Array<ArrayBuffer> =>
  bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : bytes.slice()

const portable = (output: PublishedOutput): PublishedOutput => ({
  ...output,
  body: own(output.body),
  encoded: { gzip: own(output.encoded.gzip), br: own(output.encoded.br) },
})

/**
 * Wraps the outputs and shelf; `send` gets the changes made within one turn of the event loop
 * together (a build publishes a document's three formats at once).
 */
export const mirrorTo = (send: (changes: OutputChange[]) => void) => {
  let queued: OutputChange[] = []
  const enqueue = (change: OutputChange) => {
    if (queued.length === 0)
      setImmediate(() => {
        const changes = queued
        queued = []
        send(changes)
      })
    queued.push(change)
  }
  return (local: Omit<Published, 'sync'>): Omit<Published, 'sync'> => {
    const { outputs, shelf } = local
    const mirrored: PublishedOutputs = {
      ...outputs,
      put: (output) => {
        outputs.put(output)
        enqueue({ kind: 'put', output: portable(output) })
      },
      remove: (urlPath) => {
        outputs.remove(urlPath)
        enqueue({ kind: 'remove', urlPath })
      },
    }
    if (shelf === undefined) return { outputs: mirrored, shelf }
    const shelve = (shelved: ShelvedOutput): ShelvedOutput => {
      const { urlPath, feedKey, format, contentType, etag, lastModified } = shelved
      enqueue({
        kind: 'shelve',
        output: { urlPath, feedKey, format, contentType, etag, lastModified },
      })
      return shelved
    }
    return {
      outputs: mirrored,
      shelf: {
        ...shelf,
        // The forms a build thread compressed go through: the shelf would compress them again.
        put: async (output, encoded) => shelve(await shelf.put(output, encoded)),
        putStaged: async (output) => shelve(await shelf.putStaged(output)),
        remove: async (urlPath) => {
          await shelf.remove(urlPath)
          enqueue({ kind: 'unshelve', urlPath })
        },
      },
    }
  }
}
