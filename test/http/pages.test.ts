// What a browser gets at a feed URL (a page for people) and what a feed reader gets (the bytes).
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { useService } from '../helpers/service.js'

const server = useService()
const SITE = 'https://news.example.org'
// What Chromium sends when a person opens a URL in the address bar.
const NAVIGATION = {
  accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8',
  'sec-fetch-dest': 'document',
  'sec-fetch-mode': 'navigate',
  'sec-fetch-site': 'none',
}
// What feed readers send: no Fetch Metadata, often text/html among the types they accept.
const READER = { accept: 'application/rss+xml, application/atom+xml, text/html;q=0.5, */*;q=0.1' }

const get = (path: string, headers: Record<string, string> = {}) =>
  fetch(`${server().url}${path}`, { headers })

describe('feed URLs opened in a browser', () => {
  it('shows a page for people: what the feed is, how to subscribe, its items', async () => {
    const response = await get('/feeds/categories/space/rss.xml', NAVIGATION)
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8')
    expect(response.headers.get('vary')).toBe('Accept-Encoding, Sec-Fetch-Dest')
    const html = await response.text()
    expect(html).toContain('<title>Example Science: Space</title>')
    expect(html).toContain('This is a web feed')
    for (const file of ['rss.xml', 'atom.xml', 'feed.json']) {
      expect(html).toContain(`value="${SITE}/feeds/categories/space/${file}"`)
    }
    expect(html).toContain('Pakistan, China to jointly establish space science centre')
    expect(html).toContain('<link rel="alternate" type="application/atom+xml"')
    // The same page at the feed's folder, and written beside the feed files.
    const folder = await get('/feeds/categories/space/')
    expect(await folder.text()).toBe(html)
    const file = await readFile(
      join(server().config.feedsDir, 'categories/space/index.html'),
      'utf8',
    )
    expect(file).toBe(html)
  })

  it('gives feed readers, scripts and ?raw the exact feed bytes with hub and self links', async () => {
    const path = '/feeds/categories/space/atom.xml'
    const onDisk = await readFile(join(server().config.feedsDir, 'categories/space/atom.xml'))
    for (const headers of [READER, {}, { ...NAVIGATION, 'sec-fetch-dest': 'empty' }]) {
      const response = await get(path, headers)
      expect(response.headers.get('content-type')).toBe('application/atom+xml; charset=utf-8')
      expect(Buffer.from(await response.arrayBuffer()).equals(onDisk)).toBe(true)
      expect(response.headers.get('content-security-policy')).toBeNull()
      expect(response.headers.get('link')).toBe(
        `<${SITE}/websub>; rel="hub", <${SITE}${path}>; rel="self"`,
      )
    }
    const raw = await get(`${path}?raw`, NAVIGATION)
    expect(Buffer.from(await raw.arrayBuffer()).equals(onDisk)).toBe(true)
  })

  it('answers 304 to a browser holding the current page, by its own ETag', async () => {
    const first = await get('/feeds/rss.xml', NAVIGATION)
    const etag = first.headers.get('etag')!
    expect(etag).not.toBe((await get('/feeds/rss.xml')).headers.get('etag'))
    const again = await get('/feeds/rss.xml', { ...NAVIGATION, 'if-none-match': etag })
    expect(again.status).toBe(304)
  })
})
