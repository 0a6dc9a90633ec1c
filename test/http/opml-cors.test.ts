// The OPML list of every feed, and cross-origin reads of published outputs only.
import { XMLParser } from 'fast-xml-parser'
import { describe, expect, it } from 'vitest'
import { checkOpml } from '../../src/feeds/check/opml.js'
import { ADMIN_TOKEN, adminApi } from '../helpers/admin.js'
import { until, useService } from '../helpers/service.js'

const server = useService({ FEEDWRIGHT_ADMIN_TOKEN: ADMIN_TOKEN, REBUILD_DEBOUNCE_MS: '100' })

const get = (path: string, init: RequestInit = {}) => fetch(`${server().url}${path}`, init)
const ORIGIN = { origin: 'https://reader.example.com' }

interface Outline {
  '@text': string
  '@xmlUrl'?: string
  outline?: Outline[]
}
const feedUrls = (outlines: Outline[] = []): string[] =>
  outlines.flatMap((o) => [...(o['@xmlUrl'] ? [o['@xmlUrl']] : []), ...feedUrls(o.outline)])

const listedFeeds = async (): Promise<string[]> => {
  const body = await (await get('/feeds.opml')).text()
  const doc = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '@',
    isArray: (name) => name === 'outline',
  }).parse(body) as { opml: { '@version': string; body: { outline: Outline[] } } }
  expect(doc.opml['@version']).toBe('2.0')
  return feedUrls(doc.opml.body.outline)
}

describe('GET /feeds.opml', () => {
  it('lists every feed the site publishes once, as text/x-opml', async () => {
    const response = await get('/feeds.opml')
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('text/x-opml; charset=utf-8')
    const urls = await listedFeeds()
    const site = server().config.site.url
    expect(urls).toContain(`${site}/feeds/rss.xml`)
    expect(urls).toContain(`${site}/feeds/categories/space/rss.xml`)
    expect(new Set(urls).size).toBe(urls.length)
    // Every listed feed is served.
    for (const url of urls) expect((await get(url.slice(site.length))).status).toBe(200)
    const index = await (await get('/')).text()
    expect(index).toContain(`href="${site}/feeds.opml"`)
  })

  it('follows the catalog: a new tag feed is listed after the next build', async () => {
    const article = {
      id: 'opml-new-tag',
      title: 'A link post with a new tag',
      url: 'https://elsewhere.example.net/opml',
      authors: [{ name: 'Ada' }],
      publishedAt: '2026-11-20T10:00:00Z',
      tags: ['Brand New Tag'],
    }
    const posted = await adminApi(server().url).post('/api/articles', article)
    expect(posted.status).toBe(201)
    const tagFeed = `${server().config.site.url}/feeds/tags/brand-new-tag/rss.xml`
    await until('the OPML lists the new tag feed', async () =>
      (await listedFeeds()).includes(tagFeed),
    )
    // A link post (title and url, no body) is published in every format.
    const json = (await (await get('/feeds/tags/brand-new-tag/feed.json')).json()) as {
      items: Array<Record<string, unknown>>
    }
    expect(json.items[0]).toMatchObject({ title: article.title, content_text: article.title })
    const rss = await (await get('/feeds/tags/brand-new-tag/rss.xml')).text()
    expect(rss).toContain('<title>A link post with a new tag</title>')
    expect(rss).not.toContain('<description><![CDATA[]]>')
    const atom = await (await get('/feeds/tags/brand-new-tag/atom.xml')).text()
    expect(atom).toContain(`<link href="${article.url}"`)
  })

  it('is checked before publishing: a missing or extra feed is a problem', () => {
    const body = `<?xml version="1.0"?><opml version="2.0"><head><title>t</title></head><body>
      <outline type="rss" text="A" xmlUrl="https://x.example/a.xml"/>
      <outline type="rss" text="A" xmlUrl="https://x.example/a.xml"/></body></opml>`
    expect(checkOpml(body, ['https://x.example/a.xml'])).toEqual([
      expect.objectContaining({ rule: 'opml-feeds' }),
    ])
    expect(
      checkOpml(body.replace('2.0', '1.0'), ['https://x.example/a.xml']).map((p) => p.rule),
    ).toContain('opml')
    expect(checkOpml('<opml', [])[0]?.rule).toBe('well-formed')
  })
})

describe('cross-origin reads', () => {
  it.each([
    '/feeds/feed.json',
    '/feeds/rss.xml',
    '/feeds/atom.xml',
    '/feeds/tags/nasa/feed.json',
    '/feeds.opml',
  ])('lets any origin read %s (GET, HEAD and 304)', async (path) => {
    const response = await get(path, { headers: ORIGIN })
    expect(response.headers.get('access-control-allow-origin')).toBe('*')
    expect(response.headers.get('access-control-expose-headers')).toContain('ETag')
    const head = await get(path, { method: 'HEAD', headers: ORIGIN })
    expect(head.headers.get('access-control-allow-origin')).toBe('*')
    const etag = response.headers.get('etag')!
    const cached = await get(path, { headers: { ...ORIGIN, 'if-none-match': etag } })
    expect(cached.status).toBe(304)
    expect(cached.headers.get('access-control-allow-origin')).toBe('*')
  })

  it('never on the admin API, the public article API or the pages for people', async () => {
    const api = await adminApi(server().url).call('GET', '/api/builds/latest', undefined, ORIGIN)
    expect(api.status).toBe(200)
    expect(api.headers.get('access-control-allow-origin')).toBeNull()
    const denied = await get('/api/articles', { method: 'POST', headers: ORIGIN })
    expect(denied.headers.get('access-control-allow-origin')).toBeNull()
    expect(
      (await get('/articles', { headers: ORIGIN })).headers.get('access-control-allow-origin'),
    ).toBeNull()
    expect(
      (await get('/', { headers: ORIGIN })).headers.get('access-control-allow-origin'),
    ).toBeNull()
  })
})
