// A shelf left between changing its files and saving its manifest (a run killed during a build):
// opened again, it serves each changed output with the validators of the bytes in its files, not
// the manifest's; a shelf saved after its changes is opened as its manifest says, without reading
// a file.
import { existsSync, statSync } from 'node:fs'
import { mkdir, readFile, rm, utimes, writeFile } from 'node:fs/promises'
import { gunzipSync } from 'node:zlib'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { strongEtag } from '../../src/lib/hash.js'
import { makeOutput } from '../../src/publish/outputs.js'
import { openShelf, type Shelf, shelvedFileOf } from '../../src/publish/shelf.js'
import { changingMarkerOf } from '../../src/publish/shelf-recovery.js'
import { tempDir } from '../helpers/fixtures.js'

let dir: Awaited<ReturnType<typeof tempDir>>
const PART = '/feeds/archive/2026/10/atom.xml'
const OTHER = '/feeds/archive/2026/09/atom.xml'
const BASIS = { marker: 7, fingerprint: 'settings' }

const output = (urlPath: string, text: string, updated = '2026-10-20T10:00:00Z') =>
  makeOutput({ urlPath, feedKey: 'site', format: 'atom', text, updated: new Date(updated) })

const manifestPath = () => `${dir.path}/feeds/archive/manifest.json`
const fileOf = (urlPath: string, coding: 'identity' | 'gzip' | 'br') =>
  shelvedFileOf(`${dir.path}/feeds`, urlPath, coding)

/**
 * The shelf's files dated `seconds` ago and its manifest a second later, as a save leaves them,
 * so that what is written next is newer than both.
 */
const age = async (shelf: Shelf, seconds: number) => {
  const at = (s: number) => new Date(Date.now() - s * 1000)
  for (const o of shelf.list())
    for (const coding of ['identity', 'gzip', 'br'] as const)
      await utimes(fileOf(o.urlPath, coding), at(seconds + 1), at(seconds + 1))
  await utimes(manifestPath(), at(seconds), at(seconds))
}

/** A shelf holding two outputs, saved, its files dated a minute ago. */
const savedShelf = async () => {
  const shelf = await openShelf(`${dir.path}/feeds`)
  await shelf.put(output(PART, '<feed>one</feed>'))
  await shelf.put(output(OTHER, '<feed>september</feed>'))
  shelf.recordSource('archive/2026/10', 'digest-one')
  shelf.recordSource('archive/2026/09', 'digest-september')
  await shelf.save(BASIS)
  await age(shelf, 60)
  return shelf
}

beforeEach(async () => {
  dir = await tempDir()
})

afterEach(async () => {
  await dir.cleanup()
})

describe('a shelf opened after a run', () => {
  it('that saved its changes: as its manifest says, and no marker left', async () => {
    const before = await savedShelf()
    expect(existsSync(changingMarkerOf(manifestPath()))).toBe(false)
    const logged: string[] = []
    const shelf = await openShelf(`${dir.path}/feeds`, { info: (m) => logged.push(m) })
    expect(shelf.list()).toEqual(before.list())
    expect(shelf.sourceOf('archive/2026/10')).toBe('digest-one')
    expect(logged).toEqual([])
  })

  it('that changed an output and ended before saving: its ETag is that of the new bytes', async () => {
    const before = await savedShelf()
    const old = before.get(PART)!
    const next = output(PART, '<feed>two</feed>', '2026-10-01T00:00:00Z')
    await before.put(next)
    // Ended here: the manifest still says `old`, the files hold `next`.
    expect(existsSync(changingMarkerOf(manifestPath()))).toBe(true)
    const logged: string[] = []
    const shelf = await openShelf(`${dir.path}/feeds`, { info: (m) => logged.push(m) })
    const now = shelf.get(PART)!
    expect(now.etag).toBe(next.etag)
    expect(now.etag).not.toBe(old.etag)
    // Never earlier than the version it replaced: a reader's If-Modified-Since must see a change.
    expect(now.lastModified.getTime()).toBeGreaterThanOrEqual(old.lastModified.getTime())
    expect(new TextDecoder().decode(await shelf.read(now, 'identity'))).toBe('<feed>two</feed>')
    // What it held is no longer the digest recorded for the old bytes; the other month's is.
    expect(shelf.sourceOf('archive/2026/10')).toBeUndefined()
    expect(shelf.sourceOf('archive/2026/09')).toBe('digest-september')
    expect(shelf.get(OTHER)).toEqual(before.get(OTHER))
    expect(logged).toHaveLength(1)
    expect(logged[0]).toContain('1 outputs changed')
  })

  it('that ended between renaming a new version’s compressed forms and its identity file: compressed again from it', async () => {
    const before = await savedShelf()
    const old = before.get(PART)!
    // Another output's change leaves the marker; then a half-renamed write of PART.
    await before.put(output(OTHER, '<feed>september, corrected</feed>'))
    const gz = fileOf(PART, 'gzip')
    await writeFile(gz, new Uint8Array(await readFile(fileOf(OTHER, 'gzip'))))
    const shelf = await openShelf(`${dir.path}/feeds`)
    expect(shelf.get(PART)!.etag).toBe(old.etag)
    expect(gunzipSync(await readFile(gz)).toString()).toBe('<feed>one</feed>')
    expect(strongEtag(await shelf.read(shelf.get(OTHER)!, 'identity'))).toBe(shelf.get(OTHER)!.etag)
  })

  it('that removed an output and ended before saving: no longer on the shelf', async () => {
    const before = await savedShelf()
    await before.remove(PART)
    const shelf = await openShelf(`${dir.path}/feeds`)
    expect(shelf.get(PART)).toBeUndefined()
    expect(shelf.get(OTHER)).toEqual(before.get(OTHER))
  })

  it('whose changes a later save recorded: the marker goes with that save', async () => {
    const shelf = await savedShelf()
    await shelf.put(output(PART, '<feed>two</feed>'))
    expect(existsSync(changingMarkerOf(manifestPath()))).toBe(true)
    await shelf.save(BASIS)
    expect(existsSync(changingMarkerOf(manifestPath()))).toBe(false)
    const again = await openShelf(`${dir.path}/feeds`)
    expect(again.get(PART)!.etag).toBe(shelf.get(PART)!.etag)
  })

  it('whose marker could not be written: the change fails, and the next one writes it', async () => {
    const shelf = await savedShelf()
    // A directory where the marker goes: writing it fails, as on a full disk.
    await mkdir(changingMarkerOf(manifestPath()))
    await expect(shelf.put(output(PART, '<feed>two</feed>'))).rejects.toThrow()
    expect(shelf.get(PART)!.etag).toBe(output(PART, '<feed>one</feed>').etag)
    await rm(changingMarkerOf(manifestPath()), { recursive: true })
    await shelf.put(output(PART, '<feed>two</feed>'))
    expect(statSync(changingMarkerOf(manifestPath())).isFile()).toBe(true)
  })
})
