// Seeding is the demo's setting: a site of one's own starts empty, a missing seed folder is named.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { startService } from '../../src/service.js'
import { tempDir, testConfig } from '../helpers/fixtures.js'
import { QUIET } from '../helpers/service.js'

let dir: Awaited<ReturnType<typeof tempDir>>
beforeEach(async () => {
  dir = await tempDir()
})
afterEach(() => dir.cleanup())

describe('seeding an empty store', () => {
  it('leaves a store empty when the configuration names no seed folder', async () => {
    const service = await startService(testConfig(dir.path, {}, { seedFrom: undefined }), QUIET)
    try {
      expect(await service.store.articles.count()).toBe(0)
      const feed = (await (await fetch(`${service.url}/feeds/feed.json`)).json()) as {
        items: unknown[]
      }
      expect(feed.items).toEqual([])
    } finally {
      await service.close()
    }
  })

  it('seeds from the configured folder', async () => {
    const service = await startService(testConfig(dir.path), QUIET)
    try {
      expect(await service.store.articles.count()).toBeGreaterThan(0)
    } finally {
      await service.close()
    }
  })

  it('stops with an error naming a seed folder that does not exist', async () => {
    const config = testConfig(dir.path, {}, { seedFrom: 'no-such-folder' })
    await expect(startService(config, QUIET)).rejects.toThrow(
      /seedFrom folder .*no-such-folder does not exist/,
    )
  })
})
