// SIGKILL to the real `feedwright serve` process (dist/) while its build rewrites the archive, after
// some parts' files were replaced and before the shelf's manifest is saved: the manifest then names
// bytes those files no longer hold, and the next opening of the shelf serves each part with the
// validators of its files.
import { statSync, writeFileSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { brotliDecompressSync, gunzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { syntheticBatches } from '../../bench/synthetic.js'
import { strongEtag } from '../../src/lib/hash.js'
import { openShelf, shelvedFileOf } from '../../src/publish/shelf.js'
import { changingMarkerOf } from '../../src/publish/shelf-recovery.js'
import { openSqliteStore } from '../../src/store/sqlite.js'
import { buildLines, serve } from '../helpers/cli-serve.js'
import { tempDir } from '../helpers/fixtures.js'
import { until } from '../helpers/service.js'

// 6,000 articles, 48 a day: 5 months cut into parts of 100 (60 parts), a few seconds to render.
const ARTICLES = 6_000

const configure = (dir: string, title: string) =>
  writeFileSync(
    join(dir, 'feedwright.config.json'),
    JSON.stringify({ site: { title, description: 'Many months' } }),
  )

interface Manifest {
  outputs: Array<{ urlPath: string; etag: string }>
}

describe('SIGKILL while a build rewrites the archive', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>
  beforeAll(async () => {
    dir = await tempDir()
    const store = openSqliteStore(join(dir.path, 'data', 'feedwright.db'))
    for (const batch of syntheticBatches(0, ARTICLES)) await store.articles.upsertMany(batch)
    await store.close()
  }, 120_000)
  afterAll(() => dir.cleanup())

  it('leaves a shelf that opens with every part’s ETag that of its files', async () => {
    const feeds = join(dir.path, 'feeds')
    const manifestPath = join(feeds, 'archive', 'manifest.json')
    configure(dir.path, 'Before the kill')
    const first = serve(dir.path)
    try {
      // The archive is left to the build after the start-up one; then the shelf is saved.
      await until(
        'the archive is built',
        () => buildLines(first.lines).some((l) => (l.archiveMonths as number) > 0),
        120_000,
      )
      first.child.kill('SIGTERM')
      expect((await first.exited).code).toBe(0)
    } finally {
      first.child.kill('SIGKILL')
    }
    const saved = JSON.parse(await readFile(manifestPath, 'utf8')) as Manifest
    const savedAt = statSync(manifestPath).mtimeMs
    const identityOf = (urlPath: string) => shelvedFileOf(feeds, urlPath, 'identity')
    const rewritten = () =>
      saved.outputs.filter((o) => statSync(identityOf(o.urlPath)).mtimeMs > savedAt)

    // Another title: every part is rendered again, with other bytes.
    configure(dir.path, 'After the kill')
    const second = serve(dir.path)
    try {
      await until('a part is rewritten', () => rewritten().length > 0, 120_000)
    } finally {
      second.child.kill('SIGKILL')
    }
    await second.exited
    // Killed inside the window: the manifest was not saved again, and it names old bytes.
    expect(statSync(manifestPath).mtimeMs).toBe(savedAt)
    expect(statSync(changingMarkerOf(manifestPath)).isFile()).toBe(true)
    const stale = rewritten()
    expect(stale.length).toBeGreaterThan(0)
    for (const o of stale)
      expect(strongEtag(await readFile(identityOf(o.urlPath)))).not.toBe(o.etag)

    const shelf = await openShelf(feeds)
    expect(shelf.list().length).toBe(saved.outputs.length)
    for (const output of shelf.list()) {
      const body = await readFile(identityOf(output.urlPath))
      expect(output.etag).toBe(strongEtag(body))
      const gz = await readFile(shelvedFileOf(feeds, output.urlPath, 'gzip'))
      const br = await readFile(shelvedFileOf(feeds, output.urlPath, 'br'))
      expect(gunzipSync(gz).equals(body)).toBe(true)
      expect(brotliDecompressSync(br).equals(body)).toBe(true)
    }
  }, 240_000)
})
