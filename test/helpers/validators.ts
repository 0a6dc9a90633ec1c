// Independent validators for published documents: jing with RFC 4287's RELAX NG grammar for Atom,
// ajv with a JSON Feed 1.1 schema (the parse-back check uses valibot, so this checks the check).
import { execFile } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { Ajv } from 'ajv'
import addFormats from 'ajv-formats'
import type { Service } from '../../src/service.js'

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

/** Every distinct Atom and JSON Feed document a service published, by ETag. */
export interface PublishedLog {
  atom: Map<string, Uint8Array>
  json: Map<string, Uint8Array>
}

/**
 * Records every Atom and JSON Feed document the service publishes from now on (in memory and on
 * the archive shelf), and those it serves already. Observes only: each put is passed on unchanged.
 */
export const recordPublished = async (service: Service): Promise<PublishedLog> => {
  const log: PublishedLog = { atom: new Map(), json: new Map() }
  const keep = (output: { format: string; etag: string; body: Uint8Array }) => {
    if (output.format === 'atom' || output.format === 'json')
      log[output.format].set(output.etag, output.body)
  }
  // Puts are observed first, then what is served already is read: nothing falls in between.
  const { outputs, shelf } = service
  const put = outputs.put.bind(outputs)
  outputs.put = (output) => {
    keep(output)
    put(output)
  }
  if (shelf) {
    const shelve = shelf.put.bind(shelf)
    shelf.put = (output) => {
      keep(output)
      return shelve(output)
    }
    // Files a build thread staged: their bytes are read once renamed into place.
    const shelveStaged = shelf.putStaged.bind(shelf)
    shelf.putStaged = async (output) => {
      const shelved = await shelveStaged(output)
      keep({ ...shelved, body: await shelf.read(shelved, 'identity') })
      return shelved
    }
  }
  for (const output of outputs.list()) keep(output)
  for (const output of shelf?.list() ?? []) {
    const body = await shelf!.read(output, 'identity').catch(() => undefined)
    if (body) keep({ ...output, body })
  }
  return log
}

/** Validates every recorded document; returns the findings (empty when all are valid). */
export const validatePublished = async (
  log: PublishedLog,
): Promise<{ errors: string[]; atom: number; json: number }> => {
  const dir = await mkdtemp(join(tmpdir(), 'feedwright-published-'))
  try {
    const files = [...log.atom.values()].map((body, i) => {
      const path = join(dir, `${i}.atom.xml`)
      writeFileSync(path, body)
      return path
    })
    const errors = [
      ...(await jingErrors(files)),
      ...[...log.json.values()].flatMap((body) => jsonFeedErrors(new TextDecoder().decode(body))),
    ]
    return { errors, atom: log.atom.size, json: log.json.size }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}
