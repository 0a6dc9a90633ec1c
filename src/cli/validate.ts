// `feedwright validate`: the parse-back checker on any RSS, Atom or JSON feed, ours or not.
import { checkDocument } from '../feeds/check/index.js'
import { FEED_FORMATS } from '../feeds/formats.js'
import { decodeFeed } from '../import/decode.js'
import { type Command, DEFAULT_MAX_BYTES, readSourceBytes, UsageError } from './io.js'

export const VALIDATE_HELP = `Usage: feedwright validate <file-or-URL>...

Parses each feed back as feedwright does before publishing and prints every problem with its rule.
Exits 0 when all pass, 1 when any fails.`

export const validate: Command = async (args, io) => {
  if (args.length === 0) throw new UsageError('validate needs at least one file or URL')
  let failed = 0
  for (const source of args) {
    let body: string
    try {
      // Decoded by the declared encoding, as a feed reader would (BOM, HTTP charset, XML declaration).
      const { bytes, charset } = await readSourceBytes(source, DEFAULT_MAX_BYTES)
      body = decodeFeed(bytes, charset).text
    } catch (error) {
      io.err(`${source}: FAIL [read] ${error instanceof Error ? error.message : String(error)}`)
      failed += 1
      continue
    }
    const { format, problems } = checkDocument(body)
    const kind = format ? FEED_FORMATS[format].label : 'unknown format'
    if (problems.length === 0) {
      io.out(`${source}: ok (${kind})`)
      continue
    }
    failed += 1
    io.out(
      `${source}: FAIL (${kind}), ${problems.length} problem${problems.length === 1 ? '' : 's'}`,
    )
    for (const p of problems) io.out(`  [${p.rule}] ${p.message}`)
  }
  return failed === 0 ? 0 : 1
}
