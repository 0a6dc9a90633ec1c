// The house rules ARCHITECTURE.md states, checked: every import of every file under src/ (type-only
// and re-exports included) goes to its own folder or to a floor below, never up or sideways; and no
// function (closures included) holds more than MAX_FUNCTION_LINES lines of logic.
// `npx vitest run test/architecture.test.ts` names each import and function that does not.
import { readdirSync, readFileSync } from 'node:fs'
import { join, posix, relative, sep } from 'node:path'
import ts from 'typescript'
import { describe, expect, it } from 'vitest'

const ROOT = join(import.meta.dirname, '..')
const SRC = join(ROOT, 'src')
// The fenced block after this marker in ARCHITECTURE.md: one floor a line, bottom first.
const MARKER = '<!-- floors: read by test/architecture.test.ts -->'

/** The floors, bottom first: each a list of entries ('feeds/render/' a folder, 'log.ts' a file). */
const readFloors = (markdown: string): string[][] => {
  const after = markdown.slice(markdown.indexOf(MARKER) + MARKER.length)
  const block = /```\w*\n([\s\S]*?)```/.exec(after)
  if (!markdown.includes(MARKER) || !block) throw new Error(`ARCHITECTURE.md has no ${MARKER}`)
  return block[1]!
    .split('\n')
    .map((line) => line.replace(/#.*/, '').trim())
    .filter((line) => line !== '')
    .map((line) => line.split(/\s+/))
}

/** The entry a file under src/ belongs to: the file itself, or the deepest folder listed. */
const entryOf = (floors: readonly string[][], file: string): string | undefined =>
  floors
    .flat()
    .filter((entry) => (entry.endsWith('/') ? file.startsWith(entry) : file === entry))
    .sort((a, b) => b.length - a.length)[0]

const floorOf = (floors: readonly string[][], entry: string): number =>
  floors.findIndex((floor) => floor.includes(entry))

interface Import {
  /** Both relative to src/, '/'-separated. */
  from: string
  to: string
  line: number
  specifier: string
}

/** Every relative import of a source text: static, type-only, re-exports and dynamic ones. */
const importsOf = (file: string, text: string): Import[] =>
  ts
    .preProcessFile(text, true, true)
    .importedFiles.filter((i) => i.fileName.startsWith('.'))
    .map((i) => ({
      from: file,
      to: posix.normalize(posix.join(posix.dirname(file), i.fileName)).replace(/\.js$/, '.ts'),
      line: text.slice(0, i.pos).split('\n').length,
      specifier: i.fileName,
    }))

/** What is wrong with an import, if anything. */
const violation = (floors: readonly string[][], i: Import): string | undefined => {
  const from = entryOf(floors, i.from)
  const to = entryOf(floors, i.to)
  if (from === undefined || to === undefined || from === to) return undefined
  const [a, b] = [floorOf(floors, from), floorOf(floors, to)]
  if (b < a) return undefined
  const why = a === b ? `a sibling on its floor (${to})` : `a floor above it (${to})`
  return `src/${i.from}:${i.line} imports '${i.specifier}' from ${why}: ${from} may not depend on it`
}

const sourceFiles = (dir: string): string[] =>
  readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => relative(SRC, join(e.parentPath, e.name)).split(sep).join('/'))
    .sort()

describe('the import graph', () => {
  const floors = readFloors(readFileSync(join(ROOT, 'ARCHITECTURE.md'), 'utf8'))
  const files = sourceFiles(SRC)

  it('places every file under src/ on a floor of ARCHITECTURE.md', () => {
    expect(files.filter((file) => entryOf(floors, file) === undefined)).toEqual([])
  })

  it('has no import against the flow', () => {
    const found = files.flatMap((file) =>
      importsOf(file, readFileSync(join(SRC, file), 'utf8')).flatMap(
        (i) => violation(floors, i) ?? [],
      ),
    )
    expect(found).toEqual([])
  })

  it('names an import up, one sideways, and allows one down or within a folder', () => {
    const code = [
      "import type { FeedModel } from '../feeds/model.js'",
      "import { renderJson } from '../render/json.js'",
      "export { slugify } from '../lib/slug.js'",
      "const lazy = () => import('./sqlite.js')",
    ].join('\n')
    const at = (file: string) => importsOf(file, code).map((i) => violation(floors, i))
    expect(at('store/store.ts')).toEqual([
      "src/store/store.ts:1 imports '../feeds/model.js' from a floor above it (feeds/): store/ may not depend on it",
      undefined,
      undefined,
      undefined,
    ])
    expect(at('feeds/check/rules.ts')[1]).toBe(
      "src/feeds/check/rules.ts:2 imports '../render/json.js' from a sibling on its floor (feeds/render/): feeds/check/ may not depend on it",
    )
  })
})

// Lines of logic: not blank, not only a comment. A factory's closures count inside it as well as on
// their own, so a factory that hides its helpers is as long as all of them.
const MAX_FUNCTION_LINES = 60

/** Every function of a source text longer than `max` lines of logic, as 'file:line name (n lines)'. */
const longFunctions = (file: string, text: string, max: number): string[] => {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true)
  const found: string[] = []
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body) {
      const body = node.body as ts.Node
      const lines = text
        .slice(body.getStart(source), body.getEnd())
        .split('\n')
        .map((line) => line.trim())
        .filter((line) => line !== '' && !/^(\/\/|\/\*|\*)/.test(line)).length
      if (lines > max) {
        const { line } = source.getLineAndCharacterOfPosition(node.getStart(source))
        found.push(`src/${file}:${line + 1} ${nameOf(node)} (${lines} lines)`)
      }
    }
    ts.forEachChild(node, visit)
  }
  visit(source)
  return found
}

const nameOf = (node: ts.Node): string => {
  const named = node as ts.Node & { name?: ts.Node }
  if (named.name) return named.name.getText()
  const parent = node.parent
  if (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent))
    return parent.name.getText()
  return '(anonymous)'
}

describe('function size', () => {
  it(`keeps every function under src/ within ${MAX_FUNCTION_LINES} lines of logic`, () => {
    const found = sourceFiles(SRC).flatMap((file) =>
      longFunctions(file, readFileSync(join(SRC, file), 'utf8'), MAX_FUNCTION_LINES),
    )
    expect(found).toEqual([])
  })

  it('counts lines of logic, not comments or blank lines, closures inside their factory', () => {
    const code = [
      'export const make = () => {',
      '  // why',
      '',
      '  const helper = () => {',
      '    one()',
      '    two()',
      '  }',
      '  return helper',
      '}',
    ].join('\n')
    expect(longFunctions('x.ts', code, 2)).toEqual([
      'src/x.ts:1 make (7 lines)',
      'src/x.ts:4 helper (4 lines)',
    ])
    expect(longFunctions('x.ts', code, 7)).toEqual([])
  })
})
