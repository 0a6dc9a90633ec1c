// The primary's outputs and shelf as the cluster wraps them: every change goes to the workers, and
// the shelf still gets what a build thread compressed (not compressed a second time).
import { afterEach, describe, expect, it } from 'vitest'
import { mirrorTo } from '../../src/cluster/mirror.js'
import type { OutputChange } from '../../src/cluster/messages.js'
import { compress, type Encoded } from '../../src/publish/encodings.js'
import { createPublishedOutputs, makeOutput } from '../../src/publish/outputs.js'
import { stageFiles } from '../../src/publish/files.js'
import { openShelf, type Shelf, shelfFiles } from '../../src/publish/shelf.js'
import { tempDir } from '../helpers/fixtures.js'

let dir: Awaited<ReturnType<typeof tempDir>> | undefined
afterEach(async () => {
  await dir?.cleanup()
  dir = undefined
})

describe('mirrorTo', () => {
  it('hands the compressed forms to the shelf and sends the workers what it shelved', async () => {
    dir = await tempDir()
    const shelf = await openShelf(dir.path)
    const given: Array<Encoded | undefined> = []
    const watched: Shelf = {
      ...shelf,
      put: (output, encoded) => {
        given.push(encoded)
        return shelf.put(output, encoded)
      },
    }
    const sent: OutputChange[][] = []
    const wrap = mirrorTo((changes) => sent.push(changes))
    const mirrored = wrap({ outputs: createPublishedOutputs(), shelf: watched })
    const output = makeOutput({
      urlPath: '/feeds/archive/2026/10/atom.xml',
      feedKey: 'archive:2026-10',
      format: 'atom',
      text: '<feed xmlns="http://www.w3.org/2005/Atom"><title>October</title></feed>',
      updated: new Date('2026-10-31T00:00:00Z'),
    })
    const encoded = await compress(output.body)
    const shelved = await mirrored.shelf!.put(output, encoded)
    expect(given).toEqual([encoded])
    await new Promise((resolve) => setImmediate(resolve))
    expect(sent).toEqual([
      [{ kind: 'shelve', output: expect.objectContaining({ etag: shelved.etag }) }],
    ])
  })

  it('sends the workers what a build thread staged, once it is renamed into place', async () => {
    dir = await tempDir()
    const shelf = await openShelf(dir.path)
    const sent: OutputChange[][] = []
    const mirrored = mirrorTo((changes) => sent.push(changes))({
      outputs: createPublishedOutputs(),
      shelf,
    })
    const { body, ...head } = makeOutput({
      urlPath: '/feeds/archive/2026/11/atom.xml',
      feedKey: 'archive:2026-11',
      format: 'atom',
      text: '<feed xmlns="http://www.w3.org/2005/Atom"><title>November</title></feed>',
      updated: new Date('2026-11-30T00:00:00Z'),
    })
    const files = shelfFiles(dir.path, head.urlPath, body, await compress(body))
    const shelved = await mirrored.shelf!.putStaged({ ...head, staged: await stageFiles(files) })
    expect(shelf.get(head.urlPath)?.etag).toBe(head.etag)
    await new Promise((resolve) => setImmediate(resolve))
    expect(sent).toEqual([
      [{ kind: 'shelve', output: expect.objectContaining({ etag: shelved.etag }) }],
    ])
  })
})
