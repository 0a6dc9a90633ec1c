// What a build thread makes of each output it produces before the serving thread sees it: the bytes
// compressed, and only those the serving thread will keep sent over (produce.ts already leaves out
// those of outputs served as they are). A shelved document's outputs are written beside their
// files on the shelf, under temporary names that the publisher renames into place (publish/shelf.ts
// `putStaged`), so the serving thread never holds a shelved document's bytes: an archive part of
// long reads is ~10 MB with its compressed forms, garbage on the serving thread's heap until its
// next full collection. Each output is finished as soon as it is encoded (ProduceInput.finish), so
// the thread does not hold every format's bytes at once either. Written here, on the thread,
// synchronously: with fs/promises the thread idled while libuv's pool wrote them.
import { compressSync, type Encoded } from '../publish/encodings.js'
import { stageFilesSync } from '../publish/files.js'
import { shelfFiles } from '../publish/shelf.js'
import type { OutputWithBytes, ProducedOutput } from './produce.js'

const staged = (
  output: OutputWithBytes & { encoded: Encoded },
  stageIn: string,
): ProducedOutput => {
  const { body, encoded, ...head } = output
  try {
    return { ...head, staged: stageFilesSync(shelfFiles(stageIn, output.urlPath, body, encoded)) }
  } catch {
    // A full disk, say: the bytes go over as before, and the publisher's write reports the failure.
    return output
  }
}

/**
 * Finishes an output on a build thread (ProduceInput.finish): compressed, and staged when its
 * document goes on the shelf (`stageIn`, the shelf's directory).
 */
export const finishOnThread =
  (stageIn?: string) =>
  (output: OutputWithBytes): ProducedOutput => {
    const compressed = { ...output, encoded: compressSync(output.body) }
    return stageIn === undefined ? compressed : staged(compressed, stageIn)
  }
