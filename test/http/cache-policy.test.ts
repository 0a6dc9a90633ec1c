// Cache-Control per output: the build period, or immutable once an archive month has settled.
import { describe, expect, it } from 'vitest'
import { monthEnd } from '../../src/feeds/history.js'
import { ARCHIVE_SETTLE_MS, cachePolicy } from '../../src/http/cache-policy.js'

describe('archive caching', () => {
  it('serves a month as immutable once it has settled, and says when that will be', () => {
    const path = '/feeds/archive/2026/10/rss.xml'
    const settled = monthEnd('2026-10').getTime() + ARCHIVE_SETTLE_MS
    expect(cachePolicy(path, 300, settled - 1)).toEqual({
      cacheControl: 'public, max-age=300, stale-while-revalidate=300',
      reviewAt: settled,
    })
    expect(cachePolicy(path, 300, settled).cacheControl).toBe('public, max-age=31536000, immutable')
    expect(cachePolicy('/feeds/rss.xml', 300, settled)).toEqual({
      cacheControl: 'public, max-age=300, stale-while-revalidate=300',
    })
  })
})
