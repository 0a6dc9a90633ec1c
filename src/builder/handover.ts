// What a build thread hands the serving thread for a document it produced: only the bytes the
// serving thread will keep (produce.ts already leaves out those of outputs served as they are). A
// shelved document's outputs are written beside their files on the shelf, under temporary names
// that the publisher renames into place (publish/shelf.ts `putStaged`), so the serving thread never
// holds a shelved document's bytes: an archive part of long reads is ~10 MB with its compressed
// forms, garbage on the serving thread's heap until its next full collection. Written here, on the
// thread, synchronously: with fs/promises the thread idled while libuv's pool wrote them.
import { stageFilesSync } from '../publish/files.js'
import { shelfFiles } from '../publish/shelf.js'
import type { ProducedDocument, ProducedOutput } from './produce.js'

const handOutput = (output: ProducedOutput, stageIn: string): ProducedOutput => {
  if (!('body' in output) || output.encoded === undefined) return output
  const { body, encoded, ...head } = output
  try {
    return { ...head, staged: stageFilesSync(shelfFiles(stageIn, output.urlPath, body, encoded)) }
  } catch {
    // A full disk, say: the bytes go over as before, and the publisher's write reports the failure.
    return output
  }
}

/**
 * The document as it is to cross to the serving thread: `stageIn`, the shelf's directory when
 * the document's outputs go on the shelf.
 */
export const handOver = (produced: ProducedDocument, stageIn?: string): ProducedDocument => {
  if (stageIn === undefined) return produced
  const formats = produced.formats.map((f) =>
    'output' in f ? { output: handOutput(f.output, stageIn) } : f,
  )
  const page = produced.page && handOutput(produced.page, stageIn)
  return { ...produced, formats, ...(page && { page }) }
}
