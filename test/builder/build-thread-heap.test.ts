// BUILD_THREAD_HEAP_MB: read and checked once in config.ts, handed to the build threads' limits.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { builderSettings } from '../../src/builder/builder.js'
import {
  BUILD_THREAD_HEAP_MB,
  buildThreadLimits,
  LARGE_THREAD_HEAP_MB,
  LARGE_YOUNG_GENERATION_MB,
  youngGenerationMb,
} from '../../src/builder/workers.js'
import { loadConfig } from '../../src/config.js'
import { tempDir } from '../helpers/fixtures.js'

let dir: Awaited<ReturnType<typeof tempDir>>
beforeEach(async () => {
  dir = await tempDir()
})
afterEach(async () => {
  await dir.cleanup()
})

describe('BUILD_THREAD_HEAP_MB', () => {
  it('is unset by default, and the threads get the default old generation', () => {
    const config = loadConfig({}, dir.path)
    expect(builderSettings(config).buildThreadHeapMb).toBeUndefined()
    expect(buildThreadLimits().maxOldGenerationSizeMb).toBe(BUILD_THREAD_HEAP_MB)
  })

  it('sets the old generation of each build thread', () => {
    const config = loadConfig({ BUILD_THREAD_HEAP_MB: '256' }, dir.path)
    expect(builderSettings(config).buildThreadHeapMb).toBe(256)
    expect(buildThreadLimits(256).maxOldGenerationSizeMb).toBe(256)
  })

  it('refuses a heap too small to render a document, naming the setting', () => {
    expect(() => loadConfig({ BUILD_THREAD_HEAP_MB: '8' }, dir.path)).toThrow(
      /^config: BUILD_THREAD_HEAP_MB must be a whole number of MiB 16–4096/,
    )
  })

  it('gives the threads a young generation of 32 MiB by default, never larger than the old one', () => {
    expect(buildThreadLimits().maxYoungGenerationSizeMb).toBe(32)
    expect(buildThreadLimits(4096).maxYoungGenerationSizeMb).toBe(32)
    for (const heapMb of [16, 24, 48, 64, 95]) {
      const young = buildThreadLimits(heapMb).maxYoungGenerationSizeMb!
      expect(young).toBe(youngGenerationMb(heapMb))
      expect(young).toBeGreaterThanOrEqual(16)
      expect(young).toBeLessThanOrEqual(Math.max(16, heapMb))
      expect(young).toBeLessThanOrEqual(32)
    }
  })

  it('gives a thread started for a large document the smaller heap, unless one is set', () => {
    expect(buildThreadLimits(undefined, true)).toEqual({
      maxOldGenerationSizeMb: LARGE_THREAD_HEAP_MB,
      maxYoungGenerationSizeMb: LARGE_YOUNG_GENERATION_MB,
    })
    expect(LARGE_THREAD_HEAP_MB).toBeLessThan(BUILD_THREAD_HEAP_MB)
    expect(LARGE_YOUNG_GENERATION_MB).toBeLessThan(buildThreadLimits().maxYoungGenerationSizeMb!)
    // An operator's BUILD_THREAD_HEAP_MB is every thread's old generation.
    expect(buildThreadLimits(256, true)).toEqual({
      maxOldGenerationSizeMb: 256,
      maxYoungGenerationSizeMb: LARGE_YOUNG_GENERATION_MB,
    })
  })
})
