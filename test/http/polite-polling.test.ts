import { describe, expect, it } from 'vitest'
import { useService } from '../helpers/service.js'

const server = useService({ POLITE_POLLING_SECONDS: '60', TRUST_PROXY: 'true' })

const get = (path: string, headers: Record<string, string> = {}) =>
  fetch(`${server().url}${path}`, { headers: { 'x-forwarded-for': '203.0.113.7', ...headers } })

describe('polite polling guard', () => {
  it('answers 429 with Retry-After to an unconditional re-fetch within the interval', async () => {
    const first = await get('/feeds/rss.xml')
    expect(first.status).toBe(200)
    const again = await get('/feeds/rss.xml')
    expect(again.status).toBe(429)
    const retry = Number(again.headers.get('retry-after'))
    expect(retry).toBeGreaterThan(0)
    expect(retry).toBeLessThanOrEqual(60)
    expect(((await again.json()) as { detail: string }).detail).toContain('If-None-Match')
  })

  it('never throttles conditional requests', async () => {
    const etag = (await get('/feeds/atom.xml')).headers.get('etag')!
    for (let i = 0; i < 3; i += 1) {
      expect((await get('/feeds/atom.xml', { 'if-none-match': etag })).status).toBe(304)
    }
    const lastModified = (await get('/feeds/atom.xml', { 'if-none-match': etag })).headers.get(
      'last-modified',
    )!
    expect((await get('/feeds/atom.xml', { 'if-modified-since': lastModified })).status).toBe(304)
  })

  it('counts each client and each feed apart', async () => {
    await get('/feeds/feed.json')
    expect((await get('/feeds/feed.json', { 'x-forwarded-for': '198.51.100.9' })).status).toBe(200)
    expect((await get('/feeds/categories/space/feed.json')).status).toBe(200)
  })
})
