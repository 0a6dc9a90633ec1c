// A feed's bytes that can be read more than once, in chunks: a file is read again from disk, a
// downloaded body from memory. The import reads a document twice (check, then write) and never
// holds it whole as text.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs'

export interface FeedSource {
  /** The bytes from the first, in chunks that are reused: copy what must outlive the next one. */
  chunks: () => Generator<Uint8Array>
  /** The charset parameter of an HTTP response's Content-Type, when the bytes came over HTTP. */
  httpCharset?: string
}

// Large enough that a feed's root element and XML declaration are in the first chunk, small enough
// to be nothing beside the store's own memory.
export const CHUNK_BYTES = 1024 * 1024

/** Bytes already in memory (an HTTP body, a test's document). */
export const bytesSource = (
  bytes: Uint8Array,
  httpCharset?: string,
  chunkBytes = CHUNK_BYTES,
): FeedSource => ({
  *chunks() {
    for (let at = 0; at < bytes.length; at += chunkBytes)
      yield bytes.subarray(at, Math.min(at + chunkBytes, bytes.length))
  },
  ...(httpCharset && { httpCharset }),
})

/**
 * A local file, read synchronously chunk by chunk (the import is a command, not a server). A file
 * that changes between two readings is refused: the check and the write must see the same bytes.
 */
export const fileSource = (path: string): FeedSource => {
  let seen: { size: number; mtimeMs: number } | undefined
  return {
    *chunks() {
      const fd = openSync(path, 'r')
      // Checked as each reading starts and ends: a change during the last one is still reported.
      const unchanged = () => {
        const { size, mtimeMs } = fstatSync(fd)
        if (seen && (seen.size !== size || seen.mtimeMs !== mtimeMs))
          throw new Error(`${path} changed while it was being imported; run the import again`)
        seen = { size, mtimeMs }
      }
      try {
        unchanged()
        const buffer = new Uint8Array(CHUNK_BYTES)
        for (let read = readSync(fd, buffer); read > 0; read = readSync(fd, buffer))
          yield buffer.subarray(0, read)
        unchanged()
      } finally {
        closeSync(fd)
      }
    },
  }
}

/** Every byte of a source at once: for error messages that need the whole document. */
export const allBytes = (source: FeedSource): Uint8Array => {
  const parts: Uint8Array[] = []
  for (const chunk of source.chunks()) parts.push(Uint8Array.from(chunk))
  return Buffer.concat(parts)
}
