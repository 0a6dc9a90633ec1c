// `feedwright validate`: the parse-back checker on any RSS, Atom or JSON feed, ours or not.
import { decodeFeed } from '../feeds/check/encoding.js'
import { checkDocument, type Problem } from '../feeds/check/index.js'
import { WARNING_RULES } from '../feeds/check/rules.js'
import { FEED_FORMATS } from '../feeds/formats.js'
import { type Command, readSourceBytes, UsageError } from './io.js'

export const VALIDATE_HELP = `Usage: feedwright validate [--strict] <file-or-URL>...

Parses each feed back as feedwright does before publishing and prints what it finds, items
numbered from 1: errors break the format's own requirements (well-formedness, the declared
encoding, required elements, date syntax, the schema); warnings are best practice (a guid on each
item, absolute links, a self link). Exits 1 when any feed has an error, or with --strict any
warning; 0 otherwise.`

const count = (n: number, what: string): string => `${n} ${what}${n === 1 ? '' : 's'}`

export const validate: Command = async (args, io) => {
  const strict = args.includes('--strict')
  const sources = args.filter((a) => a !== '--strict')
  const unknown = sources.find((a) => a.startsWith('--'))
  if (unknown) throw new UsageError(`validate does not know the option ${unknown}`)
  if (sources.length === 0) throw new UsageError('validate needs at least one file or URL')
  let failed = 0
  for (const source of sources) {
    let read: Awaited<ReturnType<typeof readSourceBytes>>
    try {
      read = await readSourceBytes(source)
    } catch (error) {
      io.err(`${source}: FAIL [read] ${error instanceof Error ? error.message : String(error)}`)
      failed += 1
      continue
    }
    const decoded = decodeFeed(read.bytes, read.charset)
    const { format, problems } = checkDocument(decoded.text)
    const errors: Problem[] = [
      ...decoded.errors,
      ...problems.filter((p) => !WARNING_RULES.has(p.rule)),
    ]
    const warnings: Problem[] = [
      ...decoded.warnings,
      ...problems.filter((p) => WARNING_RULES.has(p.rule)),
    ]
    const kind = format ? FEED_FORMATS[format].label : 'unknown format'
    const fails = errors.length > 0 || (strict && warnings.length > 0)
    if (fails) failed += 1
    const findings = [
      ...(errors.length > 0 ? [count(errors.length, 'error')] : []),
      ...(warnings.length > 0 ? [count(warnings.length, 'warning')] : []),
    ]
    io.out(`${source}: ${fails ? 'FAIL' : 'ok'} (${kind})${findings.map((f) => `, ${f}`).join('')}`)
    for (const p of errors) io.out(`  error [${p.rule}] ${p.message}`)
    for (const p of warnings) io.out(`  warning [${p.rule}] ${p.message}`)
  }
  return failed === 0 ? 0 : 1
}
