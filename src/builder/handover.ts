// What a build thread hands the serving thread for a document it produced: only the bytes the
// serving thread will keep. An output whose bytes are the version served goes without them (the
// publisher would drop them); a shelved document's outputs are written beside their files on the
// shelf, under temporary names that the publisher renames into place (publish/shelf.ts
// `putStaged`), so the serving thread never holds a shelved document's bytes: an archive part of
// long reads is ~10 MB with its compressed forms, garbage on the serving thread's heap until its
// next full collection.
import { stageFilesSync } from '../publish/files.js'
import { shelfFiles } from '../publish/shelf.js'
import type { ProducedDocument, ProducedOutput } from './produce.js'

export interface Handover {
  /** By URL path, the ETag of each version served (ProduceInput.served). */
  served?: Readonly<Record<string, string>>
  /** The shelf's directory, when the document's outputs go on the shelf. */
  stageIn?: string
}

const handOutput = async (
  output: ProducedOutput,
  { served, stageIn }: Handover,
): Promise<ProducedOutput> => {
  if (!('body' in output)) return output
  const { body, encoded, ...head } = output
  if (served?.[output.urlPath] === output.etag) return { ...head, served: true }
  if (stageIn === undefined || encoded === undefined) return output
  try {
    return { ...head, staged: stageFilesSync(shelfFiles(stageIn, output.urlPath, body, encoded)) }
  } catch {
    // A full disk, say: the bytes go over as before, and the publisher's write reports the failure.
    return output
  }
}

/** The document as it is to cross to the serving thread. */
export const handOver = async (
  produced: ProducedDocument,
  handover: Handover,
): Promise<ProducedDocument> => {
  const formats: ProducedDocument['formats'] = []
  for (const format of produced.formats)
    formats.push(
      'output' in format ? { output: await handOutput(format.output, handover) } : format,
    )
  const page = produced.page && (await handOutput(produced.page, handover))
  return { ...produced, formats, ...(page && { page }) }
}
