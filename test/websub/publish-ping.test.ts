// With WEBSUB_HUB_URL, feeds advertise that hub and feedwright pings it after each change.
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, describe, expect, it } from 'vitest'
import { ADMIN_TOKEN, adminApi } from '../helpers/admin.js'
import { until, useService } from '../helpers/service.js'

// A stand-in for an external hub: records publish pings; refuses as many as `refusals` says.
const pings: URLSearchParams[] = []
let refusals = 1
const hub = createServer((request, response) => {
  const chunks: Buffer[] = []
  request.on('data', (c: Buffer) => chunks.push(c))
  request.on('end', () => {
    pings.push(new URLSearchParams(Buffer.concat(chunks).toString()))
    response.writeHead(refusals-- > 0 ? 503 : 204).end()
  })
})
await new Promise<void>((resolve) => hub.listen(0, '127.0.0.1', resolve))
const HUB = `http://127.0.0.1:${(hub.address() as AddressInfo).port}/hub`
afterAll(() => new Promise<void>((resolve) => hub.close(() => resolve())))

const SPACE = 'https://news.example.org/feeds/categories/space/rss.xml'
const server = useService(
  { FEEDWRIGHT_ADMIN_TOKEN: ADMIN_TOKEN, REBUILD_DEBOUNCE_MS: '20', WEBSUB_HUB_URL: HUB },
  { websub: { retryBaseMs: 20, attempts: 3 } },
)

describe('external WebSub hub', () => {
  it('advertises the external hub in the feeds and the Link header; no built-in hub', async () => {
    const response = await fetch(`${server().url}/feeds/categories/space/rss.xml`)
    expect(response.headers.get('link')).toBe(`<${HUB}>; rel="hub", <${SPACE}>; rel="self"`)
    expect(await response.text()).toContain(`<atom:link href="${HUB}" rel="hub"/>`)
    expect((await fetch(`${server().url}/websub`, { method: 'POST' })).status).toBe(404)
  })

  it('pings hub.mode=publish for each changed feed, retrying a refused ping', async () => {
    await server().websub.idle() // the start-up build's pings
    pings.length = 0
    refusals = 1
    const response = await adminApi(server().url).patch('/api/articles/artemis-ii-launch-pad', {
      summary: 'Changed for the hub.',
    })
    expect(response.status).toBe(200)
    await until(
      'the space RSS feed pinged',
      () => pings.filter((p) => p.get('hub.url') === SPACE).length > 0 && refusals < 0,
    )
    await server().websub.idle()
    expect(pings.every((p) => p.get('hub.mode') === 'publish')).toBe(true)
    const topics = new Set(pings.map((p) => p.get('hub.url')))
    // Feeds of the article's category, tags, author and the site changed; others did not.
    expect(topics.has('https://news.example.org/feeds/atom.xml')).toBe(true)
    expect(topics.has('https://news.example.org/feeds/categories/climate/rss.xml')).toBe(false)
    // The refused ping was sent again: one more request than topics.
    expect(pings).toHaveLength(topics.size + 1)
  })
})
