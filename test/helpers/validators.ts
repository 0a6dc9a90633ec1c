// Independent validators for published documents: jing with RFC 4287's RELAX NG grammar for Atom,
// ajv with a JSON Feed 1.1 schema (the parse-back check uses valibot, so this checks the check).
import { execFile } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { readdir } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { Ajv } from 'ajv'
import addFormats from 'ajv-formats'

const run = promisify(execFile)
const SCHEMAS = resolve(import.meta.dirname, '../schemas')
export const ATOM_GRAMMAR = join(SCHEMAS, 'atom-rfc4287.rnc')
// Debian's jing; .ci/run installs it when missing.
const JING = process.env.JING ?? '/usr/bin/jing'

/**
 * Validates Atom files against RFC 4287 Appendix B in one jing run; returns jing's findings
 * (one line per error, naming file, line and column), empty when every file is valid.
 */
export const jingErrors = async (files: readonly string[]): Promise<string[]> => {
  if (files.length === 0) return []
  try {
    await run(JING, ['-c', ATOM_GRAMMAR, ...files], { maxBuffer: 64 * 1024 * 1024 })
    return []
  } catch (error) {
    const { stdout, code } = error as { stdout?: string; code?: unknown }
    if (typeof code !== 'number') throw error // jing itself could not run
    return (stdout ?? '').split('\n').filter((line) => line.includes('error'))
  }
}

const ajv = new Ajv({ allErrors: true, strict: true, strictRequired: false })
addFormats.default(ajv)
const jsonFeed = ajv.compile(
  JSON.parse(readFileSync(join(SCHEMAS, 'jsonfeed-1.1.schema.json'), 'utf8')) as object,
)

/** The JSON Feed 1.1 schema's findings for one document, empty when it is valid. */
export const jsonFeedErrors = (text: string): string[] =>
  jsonFeed(JSON.parse(text))
    ? []
    : (jsonFeed.errors ?? []).map((e) => `${e.instancePath || '(root)'} ${e.message ?? ''}`)

/** Every file under `dir` (recursively) with one of these names. */
export const filesNamed = async (dir: string, names: readonly string[]): Promise<string[]> =>
  (await readdir(dir, { recursive: true, withFileTypes: true }))
    .filter((entry) => entry.isFile() && names.includes(entry.name))
    .map((entry) => join(entry.parentPath, entry.name))
    .sort()
