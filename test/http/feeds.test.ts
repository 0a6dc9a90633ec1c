import { describe, expect, it } from 'vitest'
import { makeArticle } from '../helpers/fixtures.js'
import { useService } from '../helpers/service.js'

const server = useService(
  {},
  {
    customFeeds: [
      {
        slug: 'earth',
        title: 'Earth, not ice',
        description: 'Climate and wildlife, without Antarctica',
        include: { categories: ['Climate', 'Wildlife'] },
        exclude: { tags: ['Antarctica'] },
      },
    ],
  },
)

const get = (path: string, headers: Record<string, string> = {}, method = 'GET') =>
  fetch(`${server().url}${path}`, { method, headers })

describe('feed routes on the real server', () => {
  it.each([
    ['/feeds/rss.xml', 'application/rss+xml; charset=utf-8', '<rss version="2.0"'],
    [
      '/feeds/atom.xml',
      'application/atom+xml; charset=utf-8',
      '<feed xmlns="http://www.w3.org/2005/Atom"',
    ],
    [
      '/feeds/feed.json',
      'application/feed+json; charset=utf-8',
      '"version": "https://jsonfeed.org/version/1.1"',
    ],
    [
      '/feeds/categories/space/rss.xml',
      'application/rss+xml; charset=utf-8',
      'Example Science: Space',
    ],
    ['/feeds/tags/nasa/atom.xml', 'application/atom+xml; charset=utf-8', 'Example Science: #NASA'],
    [
      '/feeds/authors/tomas-herrera/feed.json',
      'application/feed+json; charset=utf-8',
      'Articles by Tomás Herrera',
    ],
  ])('serves %s as %s', async (path, type, text) => {
    const response = await get(path, { 'accept-encoding': 'br' })
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe(type)
    if (path === '/feeds/rss.xml')
      expect(response.headers.get('last-modified')).toBe('Fri, 20 Nov 2026 06:40:00 GMT')
    expect(response.headers.get('etag')).toMatch(/^"[A-Za-z0-9_-]{32}-br"$/)
    expect(response.headers.get('content-encoding')).toBe('br')
    expect(response.headers.get('vary')).toBe('Accept-Encoding, Sec-Fetch-Dest')
    expect(response.headers.get('last-modified')).toMatch(
      /^\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} GMT$/,
    )
    expect(await response.text()).toContain(text)
  })

  it('serves custom feeds from the configuration in every format', async () => {
    const json = (await (await get('/feeds/custom/earth/feed.json')).json()) as {
      title: string
      items: Array<{ id: string }>
    }
    expect(json.title).toBe('Earth, not ice')
    expect(json.items.map((i) => i.id.split('/').at(-1))).toEqual([
      'giant-tortoise-reintroduced',
      'climate-tipping-point-human-evolution',
      'ecological-tipping-point',
    ])
    expect((await get('/feeds/custom/earth/rss.xml')).status).toBe(200)
    expect((await get('/feeds/custom/earth/atom.xml')).status).toBe(200)
  })

  it('answers 304 when If-None-Match matches, with the validators and no body', async () => {
    const first = await get('/feeds/atom.xml')
    const etag = first.headers.get('etag')!
    const again = await get('/feeds/atom.xml', { 'If-None-Match': `"other", ${etag}` })
    expect(again.status).toBe(304)
    expect(again.headers.get('etag')).toBe(etag)
    expect(again.headers.get('last-modified')).toBe(first.headers.get('last-modified'))
    expect(await again.text()).toBe('')
    expect((await get('/feeds/atom.xml', { 'If-None-Match': `W/${etag}` })).status).toBe(304)
    expect((await get('/feeds/atom.xml', { 'If-None-Match': '*' })).status).toBe(304)
  })

  it('answers 200 when If-None-Match does not match, even if If-Modified-Since would', async () => {
    const response = await get('/feeds/rss.xml', {
      'If-None-Match': '"stale"',
      'If-Modified-Since': 'Fri, 01 Jan 2100 00:00:00 GMT',
    })
    expect(response.status).toBe(200)
  })

  it('answers 304 on If-Modified-Since at or after Last-Modified, 200 before it', async () => {
    const lastModified = (await get('/feeds/rss.xml')).headers.get('last-modified')!
    expect((await get('/feeds/rss.xml', { 'If-Modified-Since': lastModified })).status).toBe(304)
    const earlier = new Date(Date.parse(lastModified) - 1000).toUTCString()
    expect((await get('/feeds/rss.xml', { 'If-Modified-Since': earlier })).status).toBe(200)
    expect((await get('/feeds/rss.xml', { 'If-Modified-Since': 'not a date' })).status).toBe(200)
  })

  it('derives Cache-Control and the RSS ttl from the build schedule', async () => {
    const response = await get('/feeds/rss.xml')
    // FEED_CRON defaults to every 5 minutes
    expect(response.headers.get('cache-control')).toBe(
      'public, max-age=300, stale-while-revalidate=300',
    )
    expect(await response.text()).toContain('<ttl>5</ttl>')
  })

  it('serves an HTML index with autodiscovery, every feed URL and the latest articles', async () => {
    const response = await get('/', { 'accept-encoding': 'identity' })
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8')
    const html = await response.text()
    const discovery = html.match(
      /<link rel="alternate" type="application\/(rss\+xml|atom\+xml|feed\+json)"/g,
    )
    expect(discovery).toHaveLength(3)
    for (const path of [
      '/feeds/rss.xml',
      '/feeds/categories/palaeontology/atom.xml',
      '/feeds/tags/nasa/feed.json',
    ]) {
      expect(html).toContain(`href="https://news.example.org${path}"`)
    }
    expect(html).toContain('Pakistan, China to jointly establish space science centre')
    expect(html).toContain('tipping point &amp; human evolution')
    const again = await get('/', {
      'if-none-match': response.headers.get('etag')!,
      'accept-encoding': 'identity',
    })
    expect(again.status).toBe(304)
  })

  it('answers HEAD with the headers and no body', async () => {
    const response = await get('/feeds/feed.json', {}, 'HEAD')
    expect(response.status).toBe(200)
    expect(response.headers.get('etag')).toBe((await get('/feeds/feed.json')).headers.get('etag'))
    expect(await response.text()).toBe('')
  })

  it.each([
    ['OPTIONS', '/feeds/rss.xml'],
    ['POST', '/feeds/atom.xml'],
    ['PUT', '/feeds/categories/space/feed.json'],
    ['DELETE', '/feeds/'],
    ['POST', '/'],
  ])('answers %s on %s with 405 and Allow: GET, HEAD', async (method, path) => {
    const response = await get(path, {}, method)
    expect(response.status).toBe(405)
    expect(response.headers.get('allow')).toBe('GET, HEAD')
    expect(response.headers.get('content-type')).toBe('application/problem+json')
    expect(await response.json()).toMatchObject({ status: 405, title: 'Method Not Allowed' })
  })

  it('answers 404, not 405, for another method where nothing is published', async () => {
    expect((await get('/feeds/categories/astrology/rss.xml', {}, 'POST')).status).toBe(404)
  })

  it('answers a clear 404 problem for a feed that does not exist', async () => {
    const response = await get('/feeds/categories/astrology/rss.xml')
    expect(response.status).toBe(404)
    expect(response.headers.get('content-type')).toBe('application/problem+json')
    expect(await response.json()).toMatchObject({
      status: 404,
      detail: expect.stringContaining('astrology'),
    })
  })

  it('reports health with the last build', async () => {
    const body = (await (await get('/healthz')).json()) as { outputs: number }
    expect(body).toMatchObject({ status: 'ok', lastBuild: { failures: 0 } })
    expect(body.outputs).toBeGreaterThan(30)
  })

  it('keeps the same ETag after a rebuild of the same content', async () => {
    const before = (await get('/feeds/tags/dinosaurs/rss.xml')).headers.get('etag')
    const report = await server().scheduler.rebuild({ full: true })
    expect(report.published).toBe(0)
    expect((await get('/feeds/tags/dinosaurs/rss.xml')).headers.get('etag')).toBe(before)
  })

  it('serves a change after the rebuild it triggers, with a new ETag only where content changed', async () => {
    const site = await get('/feeds/atom.xml')
    const climate = await get('/feeds/categories/climate/atom.xml')
    await server().store.articles.upsert(
      makeArticle({
        id: 'new-moon-probe',
        title: 'New Moon probe',
        publishedAt: '2026-11-24T09:00:00Z',
      }),
    )
    await server().scheduler.rebuild()
    const siteAfter = await get('/feeds/atom.xml', { 'If-None-Match': site.headers.get('etag')! })
    expect(siteAfter.status).toBe(200)
    expect(await siteAfter.text()).toContain('New Moon probe')
    expect(siteAfter.headers.get('last-modified')).toBe('Tue, 24 Nov 2026 09:00:00 GMT')
    const climateAfter = await get('/feeds/categories/climate/atom.xml', {
      'If-None-Match': climate.headers.get('etag')!,
    })
    expect(climateAfter.status).toBe(304)
  })

  it.each(['/feeds/rss.xml', '/feeds/categories/space/atom.xml', '/feeds/feed.json', '/'])(
    'answers HEAD %s with the Content-Length a GET would have, in every coding',
    async (path) => {
      for (const coding of ['identity', 'gzip', 'br']) {
        const headers = { 'accept-encoding': coding }
        const head = await get(path, headers, 'HEAD')
        const got = await get(path, headers)
        expect(head.status).toBe(200)
        expect(head.headers.get('content-length')).toBe(got.headers.get('content-length'))
        expect(Number(head.headers.get('content-length'))).toBeGreaterThan(0)
        if (coding === 'identity')
          expect(Number(head.headers.get('content-length'))).toBe(
            (await got.arrayBuffer()).byteLength,
          )
        else await got.arrayBuffer()
      }
    },
  )

  it.each(['/articles/blood-falls-antarctica', '/articles?limit=2', '/healthz', '/feeds/nope.xml'])(
    'answers HEAD %s (JSON, problems) with the Content-Length of the GET',
    async (path) => {
      const head = await get(path, { 'accept-encoding': 'identity' }, 'HEAD')
      const got = await get(path, { 'accept-encoding': 'identity' })
      expect(head.status).toBe(got.status)
      expect(await head.text()).toBe('')
      expect(Number(head.headers.get('content-length'))).toBe((await got.arrayBuffer()).byteLength)
    },
  )

  it('never sends a Last-Modified in the future, even for future-dated articles', async () => {
    await server().store.articles.upsert(
      makeArticle({
        id: 'from-the-future',
        publishedAt: '2030-01-01T00:00:00Z',
        categories: ['Futures'],
      }),
    )
    await server().scheduler.rebuild()
    // The article is scheduled for 2030: nothing of it is published before then.
    expect((await get('/feeds/categories/futures/atom.xml')).status).toBe(404)
    const response = await get('/feeds/atom.xml')
    expect(Date.parse(response.headers.get('last-modified')!)).toBeLessThanOrEqual(Date.now())
  })
})
