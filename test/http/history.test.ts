// RFC 5005 on the real server: stable pages in every format (old page URLs redirected), the site's monthly archives, their
// links and caching, and `?page=N`.
import { describe, expect, it } from 'vitest'
import { XMLParser } from 'fast-xml-parser'
import { ADMIN_TOKEN, adminApi } from '../helpers/admin.js'
import { until, useService } from '../helpers/service.js'

// 9 fixture articles, 3 to a page: the site feed has stable pages 1-2 (articles 1-3, 4-6 from the
// oldest) besides its subscription document (7-9).
const server = useService({
  FEED_LIMIT: '3',
  FEED_PAGES: '5',
  FEEDWRIGHT_ADMIN_TOKEN: ADMIN_TOKEN,
  REBUILD_DEBOUNCE_MS: '20',
})
const SITE = 'https://news.example.org'
const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' })

const get = (path: string, headers: Record<string, string> = {}) =>
  fetch(`${server().url}${path}`, { headers, redirect: 'manual' })

type Link = { rel: string; href: string }
const asArray = <T>(value: T | T[] | undefined): T[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value]

const atomLinks = async (path: string) => {
  const doc = xml.parse(await (await get(path)).text())
  return {
    links: Object.fromEntries(asArray<Link>(doc.feed.link).map((l) => [l.rel, l.href])),
    ids: asArray<{ id: string }>(doc.feed.entry).map((e) => e.id),
    archive: 'fh:archive' in doc.feed,
    doc,
  }
}

const { call: write } = adminApi(() => server().url)

/** When the latest build started (epoch ms), or 0 before any build finished. */
const latestBuildStart = async (): Promise<number> => {
  const response = await write('GET', '/api/builds/latest')
  return response.status === 200
    ? Date.parse(((await response.json()) as { startedAt: string }).startedAt)
    : 0
}

/** Makes a change and waits for a build that started after it to finish. */
const rebuilt = async (change: () => Promise<Response>) => {
  const changedAt = Date.now()
  expect((await change()).ok).toBe(true)
  await until('the rebuild after a change', async () => (await latestBuildStart()) > changedAt)
}

describe('stable pages (RFC 5005 §3)', () => {
  it('links the subscription document to the newest stable page, and each page to its neighbours', async () => {
    const one = await atomLinks('/feeds/atom.xml')
    expect(one.links).toMatchObject({
      self: `${SITE}/feeds/atom.xml`,
      first: `${SITE}/feeds/atom.xml`,
      next: `${SITE}/feeds/stable/2/atom.xml`,
      hub: `${SITE}/websub`,
    })
    // No `last`: it would move with every page cut, changing every page.
    expect(one.links.previous).toBeUndefined()
    expect(one.links.last).toBeUndefined()
    const two = await atomLinks('/feeds/stable/2/atom.xml')
    expect(two.links).toMatchObject({
      self: `${SITE}/feeds/stable/2/atom.xml`,
      first: `${SITE}/feeds/atom.xml`,
      previous: `${SITE}/feeds/atom.xml`,
      next: `${SITE}/feeds/stable/1/atom.xml`,
    })
    const first = await atomLinks('/feeds/stable/1/atom.xml')
    expect(first.links.previous).toBe(`${SITE}/feeds/stable/2/atom.xml`)
    expect(first.links.next).toBeUndefined()
    expect(first.links.last).toBeUndefined()
    // Together they hold every article once, newest first, with one feed id.
    const all = [...one.ids, ...two.ids, ...first.ids]
    expect(all).toHaveLength(9)
    expect(new Set(all).size).toBe(9)
    expect(two.doc.feed.id).toBe(one.doc.feed.id)

    const rss = xml.parse(await (await get('/feeds/stable/2/rss.xml')).text())
    const rssLinks = asArray<Link>(rss.rss.channel['atom:link'])
    expect(rssLinks).toContainEqual({ rel: 'next', href: `${SITE}/feeds/stable/1/rss.xml` })
    expect(rssLinks).toContainEqual({ rel: 'previous', href: `${SITE}/feeds/rss.xml` })
    const json = (await (await get('/feeds/stable/2/feed.json')).json()) as Record<string, unknown>
    expect(json.next_url).toBe(`${SITE}/feeds/stable/1/feed.json`)
    expect(json.hubs).toEqual([{ type: 'WebSub', url: `${SITE}/websub` }])
    const subscription = (await (await get('/feeds/feed.json')).json()) as Record<string, unknown>
    expect(subscription.next_url).toBe(`${SITE}/feeds/stable/2/feed.json`)
  })

  it('answers old page URLs with 302 to the stable page holding their items', async () => {
    const cases = [
      ['/feeds/page/2/atom.xml', '/feeds/stable/2/atom.xml'],
      ['/feeds/page/3/rss.xml', '/feeds/stable/1/rss.xml'],
      ['/feeds/page/2/feed.json', '/feeds/stable/2/feed.json'],
      ['/feeds/page/3/', '/feeds/stable/1/'],
    ]
    for (const [old, stable] of cases) {
      const response = await get(old!)
      expect(response.status, old).toBe(302)
      expect(response.headers.get('location')).toBe(stable)
      expect(response.headers.get('access-control-allow-origin')).toBe('*')
      expect((await get(stable!)).status).toBe(200)
    }
    // As before, a page past the feed's articles is not found.
    for (const old of ['/feeds/page/4/atom.xml', '/feeds/page/6/', '/feeds/page/2/nothing.xml']) {
      expect((await get(old)).status, old).toBe(404)
    }
  })

  it('redirects ?page=N to the page path, and refuses what is no page', async () => {
    const two = await get('/feeds/categories/space/rss.xml?page=1')
    expect(two.status).toBe(301)
    expect(two.headers.get('location')).toBe('/feeds/categories/space/rss.xml')
    const page = await get('/feeds/feed.json?page=3')
    expect(page.status).toBe(301)
    expect(page.headers.get('location')).toBe('/feeds/page/3/feed.json')
    expect((await get('/feeds/feed.json?page=4')).status).toBe(404)
    const bad = await get('/feeds/atom.xml?page=two')
    expect(bad.status).toBe(400)
    expect(((await bad.json()) as { detail: string }).detail).toMatch(/page/)
  })

  it('cuts the pages again after a deletion and takes down those left empty', async () => {
    await rebuilt(() => write('DELETE', '/api/articles/spiked-dinosaur-china'))
    await rebuilt(() => write('DELETE', '/api/articles/giant-tortoise-reintroduced'))
    // 7 articles: page 2 (4-6 from the oldest) still holds one the subscription document does not.
    expect((await atomLinks('/feeds/atom.xml')).links.next).toBe(`${SITE}/feeds/stable/2/atom.xml`)
    await rebuilt(() => write('DELETE', '/api/articles/starliner-astronauts-risk'))
    // 6: page 2 holds what the subscription document holds, and goes.
    expect((await atomLinks('/feeds/atom.xml')).links.next).toBe(`${SITE}/feeds/stable/1/atom.xml`)
    for (const file of ['atom.xml', 'rss.xml', 'feed.json', '']) {
      expect((await get(`/feeds/stable/2/${file}`)).status).toBe(404)
    }
    expect((await get('/feeds/page/2/atom.xml')).headers.get('location')).toBe(
      '/feeds/stable/1/atom.xml',
    )
    expect((await get('/feeds/page/3/atom.xml')).status).toBe(404)
    const pages = [await atomLinks('/feeds/atom.xml'), await atomLinks('/feeds/stable/1/atom.xml')]
    expect(pages.flatMap((p) => p.ids)).toHaveLength(6)
  })
})

describe('archived feeds (RFC 5005 §4)', () => {
  const old = {
    id: 'archived-story',
    title: 'A story from September',
    summary: 'Old news.',
    contentHtml: '<p>Old news.</p>',
    url: `${SITE}/science/archived-story`,
    authors: [{ name: 'Archivist' }],
    publishedAt: '2026-09-14T08:00:00Z',
    categories: ['Space'],
  }

  it('publishes one archive per month, chained, with fh:archive and a current link', async () => {
    await rebuilt(() => write('POST', '/api/articles', old))
    const september = await atomLinks('/feeds/archive/2026/09/atom.xml')
    expect(september.archive).toBe(true)
    expect(september.ids).toEqual([expect.stringMatching(/^tag:.*:articles\/archived-story$/)])
    expect(september.links).toMatchObject({
      self: `${SITE}/feeds/archive/2026/09/atom.xml`,
      current: `${SITE}/feeds/atom.xml`,
      'next-archive': `${SITE}/feeds/archive/2026/11/atom.xml`,
    })
    expect(september.links['prev-archive']).toBeUndefined()
    // Nothing to subscribe to in an archive: no hub, in the document or the Link header.
    expect(september.links.hub).toBeUndefined()
    const response = await get('/feeds/archive/2026/09/atom.xml')
    expect(response.headers.get('link')).toBe(
      `<${SITE}/feeds/archive/2026/09/atom.xml>; rel="self"`,
    )
    const november = await atomLinks('/feeds/archive/2026/11/atom.xml')
    expect(november.links['prev-archive']).toBe(`${SITE}/feeds/archive/2026/09/atom.xml`)
    expect(november.ids).toHaveLength(6)
    // The subscription document points at the newest archive; no October document exists.
    expect((await atomLinks('/feeds/atom.xml')).links['prev-archive']).toBe(
      `${SITE}/feeds/archive/2026/11/atom.xml`,
    )
    expect((await get('/feeds/archive/2026/10/atom.xml')).status).toBe(404)
    const rss = await (await get('/feeds/archive/2026/09/rss.xml')).text()
    expect(rss).toContain('xmlns:fh="http://purl.org/syndication/history/1.0"')
    expect(rss).toContain('<fh:archive/>')
  })

  it('names the month on its page for people and says it does not change', async () => {
    const page = await (await get('/feeds/archive/2026/09/')).text()
    expect(page).toContain('<h1>Example Science: September 2026</h1>')
    expect(page).toContain('This is the archive of September 2026')
    expect(page).toContain('does not change')
    expect(page).not.toContain('fetch this address')
  })

  it('answers HEAD for an archive on disk with the length a GET would have', async () => {
    for (const coding of ['identity', 'gzip', 'br']) {
      const headers = { 'accept-encoding': coding }
      const path = '/feeds/archive/2026/09/atom.xml'
      const head = await fetch(`${server().url}${path}`, { method: 'HEAD', headers })
      const body = await (await fetch(`${server().url}${path}`, { headers })).arrayBuffer()
      expect(head.status).toBe(200)
      if (coding === 'identity')
        expect(Number(head.headers.get('content-length'))).toBe(body.byteLength)
      else expect(Number(head.headers.get('content-length'))).toBeGreaterThan(0)
    }
  })

  it('serves a month that can no longer change as immutable, the current one briefly', async () => {
    const final = await get('/feeds/archive/2026/09/atom.xml')
    expect(final.headers.get('cache-control')).toBe('public, max-age=31536000, immutable')
    const current = await get('/feeds/archive/2026/11/atom.xml')
    expect(current.headers.get('cache-control')).toMatch(/^public, max-age=\d+, stale-while/)
    expect((await get('/feeds/atom.xml')).headers.get('cache-control')).not.toMatch(/immutable/)
  })

  it('keeps a tombstone in the month archive of a deleted article, and drops an empty month', async () => {
    await rebuilt(() => write('DELETE', '/api/articles/archived-story'))
    expect((await get('/feeds/archive/2026/09/atom.xml')).status).toBe(404)
    const november = await atomLinks('/feeds/archive/2026/11/atom.xml')
    expect(november.links['prev-archive']).toBeUndefined()
    const tombstones = asArray<{ ref: string }>(november.doc.feed['at:deleted-entry'])
    expect(tombstones.map((t) => t.ref)).toContainEqual(
      expect.stringMatching(/^tag:.*:articles\/spiked-dinosaur-china$/),
    )
  })
})
