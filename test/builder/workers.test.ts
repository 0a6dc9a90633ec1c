// Documents produced on worker threads give the bytes, ETags and reports of an in-process build.
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createBuilder } from '../../src/builder/builder.js'
import { createPublishedOutputs, type PublishedOutputs } from '../../src/publish/outputs.js'
import { openShelf, type Shelf } from '../../src/publish/shelf.js'
import { openSqliteStore } from '../../src/store/sqlite.js'
import type { Store } from '../../src/store/store.js'
import { fixtureArticles, makeArticle, SITE, tempDir } from '../helpers/fixtures.js'

let dir: Awaited<ReturnType<typeof tempDir>>
let store: Store

beforeEach(async () => {
  dir = await tempDir()
  store = openSqliteStore(join(dir.path, 'store.db'))
  await store.articles.upsertMany(await fixtureArticles())
})
afterEach(async () => {
  await store.close()
  await dir.cleanup()
})

/** A full build with `buildThreads` threads into a feeds directory of its own. */
const buildWith = async (buildThreads: number, name: string) => {
  const feedsDir = join(dir.path, name)
  const outputs = createPublishedOutputs()
  const shelf = await openShelf(feedsDir)
  const errors: unknown[] = []
  const builder = createBuilder({
    settings: { site: SITE, feedLimit: 3, feedPages: 3, feedsDir, buildThreads },
    dependencies: { store, outputs, shelf, log: { error: (m, e) => errors.push(m, e) } },
    // Two builders share the store here: neither consumes its change log.
    ownsChangeLog: false,
  })
  try {
    const report = await builder.build({ id: buildThreads + 1, full: true })
    return { report, outputs, shelf, errors }
  } finally {
    await builder.close()
  }
}

const served = (outputs: PublishedOutputs) =>
  outputs.list().map((o) => ({
    urlPath: o.urlPath,
    etag: o.etag,
    feedKey: o.feedKey,
    lastModified: o.lastModified.toISOString(),
    body: Buffer.from(o.body).toString('base64'),
  }))
const shelved = (shelf: Shelf) => shelf.list().map((o) => ({ urlPath: o.urlPath, etag: o.etag }))

describe('build threads', () => {
  it('publish the same bytes, ETags and report as a build in-process', async () => {
    await store.articles.upsert(makeArticle({ id: 'older', publishedAt: '2025-01-10T10:00:00Z' }))
    const inProcess = await buildWith(0, 'in-process')
    const threaded = await buildWith(2, 'threads')
    expect(threaded.errors).toEqual([])
    expect(served(threaded.outputs)).toEqual(served(inProcess.outputs))
    expect(shelved(threaded.shelf)).toEqual(shelved(inProcess.shelf))
    expect(shelved(threaded.shelf).length).toBeGreaterThan(0)
    const fields = ({ report }: typeof inProcess) => ({
      ...report,
      id: 0,
      startedAt: '',
      finishedAt: '',
      durationMs: 0,
      timings: {},
    })
    expect(fields(threaded)).toEqual(fields(inProcess))
  })
})
