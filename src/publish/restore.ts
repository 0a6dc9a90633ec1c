// The outputs a previous run left in feeds/, served at start-up until the first build succeeds (also
// when the store is full or away): possibly stale, but good, since only checked documents are written.
import { readFile, stat } from 'node:fs/promises'
import { promisify } from 'node:util'
import { brotliDecompress, gunzip } from 'node:zlib'
import { FEED_FORMATS, FORMAT_NAMES, type FeedFormat } from '../feeds/formats.js'
import { DOCUMENT_FILE_NAMES, INDEX_PATH } from '../feeds/paths.js'
import { fileFor, listFeedFiles } from './files.js'
import type { Encoding } from './encodings.js'
import {
  makeOutput,
  type OutputFormat,
  type PublishedOutput,
  type PublishedOutputs,
  type RenderedOutput,
  withEncodings,
} from './outputs.js'

const FORMAT_OF_FILE = new Map<string, FeedFormat>(
  FORMAT_NAMES.map((format) => [FEED_FORMATS[format].file, format]),
)

// Restored outputs carry this key prefix: a build owns no such key, so it replaces or takes them down.
const RESTORED = 'restored:'

/** Whether an output was restored from feeds/ rather than published by a build of this run. */
export const isRestored = (output: { feedKey: string }): boolean =>
  output.feedKey.startsWith(RESTORED)

const formatOf = (urlPath: string): OutputFormat =>
  FORMAT_OF_FILE.get(urlPath.slice(urlPath.lastIndexOf('/') + 1)) ?? 'html'

const DECOMPRESS: Readonly<Record<Encoding, (bytes: Uint8Array) => Promise<Buffer>>> = {
  gzip: promisify(gunzip),
  br: promisify(brotliDecompress),
}

/**
 * The output with the compressed forms the last run wrote beside its file (.gz, .br), read back
 * rather than made again (brotli at its best is the slow part of publishing); made again when one
 * is missing or no longer holds these bytes (a run stopped between writing the forms).
 */
const withFormsOnDisk = async (output: RenderedOutput, file: string): Promise<PublishedOutput> => {
  const read = async (encoding: Encoding, suffix: string) => {
    const bytes = new Uint8Array(await readFile(`${file}${suffix}`))
    const plain = await DECOMPRESS[encoding](bytes)
    if (!plain.equals(output.body)) throw new Error(`${file}${suffix} holds other bytes`)
    return bytes
  }
  try {
    const [gzip, br] = await Promise.all([read('gzip', '.gz'), read('br', '.br')])
    return { ...output, encoded: { gzip, br } }
  } catch {
    return withEncodings(output)
  }
}

/**
 * Puts every feed, page for people and the index page found under `feedsDir` into `outputs`,
 * unless an output is already there or `skip` says another part serves it (the shelf's archives).
 * Returns how many were restored. A file that cannot be read is left out.
 */
export const restorePublished = async (options: {
  feedsDir: string
  outputs: PublishedOutputs
  skip?: (urlPath: string) => boolean
}): Promise<number> => {
  const { feedsDir, outputs, skip = () => false } = options
  const paths = [INDEX_PATH, ...(await listFeedFiles(feedsDir, DOCUMENT_FILE_NAMES))]
  let restored = 0
  for (const urlPath of paths) {
    if (outputs.get(urlPath) || skip(urlPath)) continue
    const file = fileFor(feedsDir, urlPath)
    try {
      const [text, info] = await Promise.all([readFile(file, 'utf8'), stat(file)])
      // The key only has to be unique: the first build that succeeds builds every feed (restored
      // outputs are not a build's, see builder/plan.ts) and replaces each or takes it down.
      const fields = { urlPath, feedKey: `${RESTORED}${urlPath}`, format: formatOf(urlPath) }
      outputs.put(await withFormsOnDisk(makeOutput({ ...fields, text, updated: info.mtime }), file))
      restored += 1
    } catch {
      // Not there (the index page before a first build) or unreadable: not served.
    }
  }
  return restored
}
