// Publishing outputs a build thread handed over without their bytes (builder/handover.ts): staged
// files are renamed into place on the shelf, or removed when the shelf holds those bytes already;
// an output sent as "the bytes served" publishes nothing, or fails when what is served changed.
import { existsSync } from 'node:fs'
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createPublisher, type Publisher } from '../../src/builder/publisher.js'
import { newTally } from '../../src/builder/report.js'
import { compressSync } from '../../src/publish/encodings.js'
import { fileFor, stageFiles } from '../../src/publish/files.js'
import { createPublishedOutputs, makeOutput } from '../../src/publish/outputs.js'
import { openShelf, type Shelf, shelfFiles, type StagedOutput } from '../../src/publish/shelf.js'

const URL_PATH = '/feeds/archive/2026/10/atom.xml'

let dir: string
let shelf: Shelf
let publisher: Publisher

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'feedwright-handover-'))
  shelf = await openShelf(dir)
  publisher = createPublisher({
    outputs: createPublishedOutputs(),
    shelf,
    feedsDir: dir,
    clock: () => new Date('2026-11-01T00:00:00Z'),
  })
})

afterEach(() => rm(dir, { recursive: true, force: true }))

const rendered = (text: string) =>
  makeOutput({
    urlPath: URL_PATH,
    feedKey: 'site',
    format: 'atom',
    text,
    updated: new Date('2026-10-31T12:00:00Z'),
  })

/** An output as a build thread hands over a shelved one: its files staged in `dir`. */
const staged = async (text: string): Promise<StagedOutput> => {
  const { body, ...head } = rendered(text)
  const files = shelfFiles(dir, URL_PATH, body, compressSync(body))
  return { ...head, staged: await stageFiles(files) }
}

/** Temporary files left anywhere under the shelf. */
const leftovers = async () =>
  (await readdir(dir, { recursive: true })).filter((name) => name.endsWith('.tmp'))

describe('publishing outputs handed over without their bytes', () => {
  it('renames a staged output’s files into place and serves it from the shelf', async () => {
    const tally = newTally()
    const output = await staged('<feed>one</feed>')
    expect(existsSync(fileFor(dir, URL_PATH))).toBe(false)
    expect(await publisher.publishOutput(output, tally, true)).toBe(true)
    const shelved = shelf.get(URL_PATH)
    expect(shelved?.etag).toBe(output.etag)
    expect(await readFile(fileFor(dir, URL_PATH), 'utf8')).toBe('<feed>one</feed>')
    const br = await shelf.read(shelved!, 'br')
    expect(br).toEqual(compressSync(new TextEncoder().encode('<feed>one</feed>')).br)
    expect(tally.shelved.map((o) => o.urlPath)).toEqual([URL_PATH])
    expect(await leftovers()).toEqual([])
  })

  it('removes staged files whose bytes the shelf holds already, and counts them unchanged', async () => {
    await publisher.publishOutput(await staged('<feed>one</feed>'), newTally(), true)
    const tally = newTally()
    expect(await publisher.publishOutput(await staged('<feed>one</feed>'), tally, true)).toBe(true)
    expect(tally.unchanged).toBe(1)
    expect(tally.shelved).toEqual([])
    expect(await leftovers()).toEqual([])
  })

  it('publishes nothing for the bytes served, and fails when what is served changed', async () => {
    const first = await staged('<feed>one</feed>')
    await publisher.publishOutput(first, newTally(), true)
    const { staged: _files, ...head } = first
    const same = newTally()
    expect(await publisher.publishOutput({ ...head, served: true }, same, true)).toBe(true)
    expect(same.unchanged).toBe(1)
    // Another version was published meanwhile (another instance's build, synced here).
    await publisher.publishOutput(await staged('<feed>two</feed>'), newTally(), true)
    const changed = newTally()
    expect(await publisher.publishOutput({ ...head, served: true }, changed, true)).toBe(false)
    expect(changed.failures).toEqual([
      {
        feed: URL_PATH,
        rule: 'publish',
        message: 'its version served changed while it was produced',
      },
    ])
    expect(await readFile(fileFor(dir, URL_PATH), 'utf8')).toBe('<feed>two</feed>')
  })

  it('removes a staged page for people when a format of its document fails', async () => {
    const page = { ...(await staged('<html>page</html>')), urlPath: '/feeds/archive/2026/10/' }
    const tally = newTally()
    const passed = await publisher.publishDocument(
      {
        path: 'archive/2026/10',
        archive: true,
        formats: [{ urlPath: URL_PATH, problems: [{ rule: 'atom-date', message: 'broken' }] }],
        page,
        timings: { renderMs: 0, checkMs: 0, encodeMs: 0 },
      },
      tally,
    )
    expect(passed).toBe(false)
    expect(tally.failures.map((f) => f.rule)).toEqual(['atom-date'])
    expect(shelf.get(page.urlPath)).toBeUndefined()
    expect(await leftovers()).toEqual([])
  })

  it('says where a build thread may stage a document: the shelf’s directory, for shelved ones', () => {
    expect(publisher.stagingDir({ path: 'archive/2026/10', archive: true })).toBe(dir)
    expect(publisher.stagingDir({ path: 'categories/science', archive: false })).toBeUndefined()
  })
})
