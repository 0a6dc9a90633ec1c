// Files staged under temporary names (publish/files.ts): renamed over their targets in order, or
// removed; and the temporary files a run left behind, swept at the next start once they are old.
import { existsSync } from 'node:fs'
import { mkdir, readdir, readFile, utimes, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  commitStaged,
  discardStaged,
  stageFiles,
  stageFilesSync,
  sweepTemporaries,
} from '../../src/publish/files.js'
import { tempDir } from '../helpers/fixtures.js'

let dir: Awaited<ReturnType<typeof tempDir>>
beforeEach(async () => {
  dir = await tempDir()
})
afterEach(() => dir.cleanup())

const files = (names: string[]) =>
  names.map((name) => ({ path: join(dir.path, 'a', name), bytes: new TextEncoder().encode(name) }))

const everything = async () => (await readdir(dir.path, { recursive: true })).sort()

describe('staged files', () => {
  it.each([
    ['stageFiles', stageFiles],
    ['stageFilesSync', async (f: ReturnType<typeof files>) => stageFilesSync(f)],
  ])(
    'are written beside their targets by %s, and replace them only when committed',
    async (_, stage) => {
      const staged = await stage(files(['x.xml.gz', 'x.xml']))
      expect(staged.map((s) => s.path)).toEqual(files(['x.xml.gz', 'x.xml']).map((f) => f.path))
      expect(existsSync(join(dir.path, 'a', 'x.xml'))).toBe(false)
      await commitStaged(staged)
      expect(await readFile(join(dir.path, 'a', 'x.xml'), 'utf8')).toBe('x.xml')
      expect(await everything()).toEqual(['a', 'a/x.xml', 'a/x.xml.gz'])
    },
  )

  it('are removed, not renamed, when discarded', async () => {
    await discardStaged(await stageFiles(files(['y.xml'])))
    expect(await everything()).toEqual(['a'])
  })
})

describe('sweepTemporaries', () => {
  it('removes only temporary files older than the bound, at any depth', async () => {
    const deep = join(dir.path, 'archive', '2026', '10')
    await mkdir(deep, { recursive: true })
    const old = join(deep, 'atom.xml.4242.0123456789ab.tmp')
    const fresh = join(deep, 'rss.xml.4242.ba9876543210.tmp')
    const notOurs = join(dir.path, 'notes.tmp')
    const published = join(deep, 'atom.xml')
    for (const path of [old, fresh, notOurs, published]) await writeFile(path, 'x')
    const hourAgo = new Date(Date.now() - 3_600_000)
    for (const path of [old, notOurs, published]) await utimes(path, hourAgo, hourAgo)
    expect(await sweepTemporaries(dir.path, 600_000)).toBe(1)
    expect(existsSync(old)).toBe(false)
    for (const path of [fresh, notOurs, published]) expect(existsSync(path)).toBe(true)
  })
})
