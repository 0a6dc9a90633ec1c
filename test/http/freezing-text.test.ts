// Ordinary text that used to freeze a feed (issue 15 §3), and HTML that was syndicated unsafe (§7),
// through the real API: accepted and published, or refused with a 400 naming the field.
import { describe, expect, it } from 'vitest'
import type { Article } from '../../src/articles/schema.js'
import { parseXml } from '../../src/lib/xml.js'
import { text } from '../../src/lib/xml-tree.js'
import { ADMIN_TOKEN, adminApi, apiArticle as article } from '../helpers/admin.js'
import { until, useService } from '../helpers/service.js'

const server = useService({ FEEDWRIGHT_ADMIN_TOKEN: ADMIN_TOKEN, REBUILD_DEBOUNCE_MS: '50' })
const api = adminApi(() => server().url)
const post = (body: unknown) => api.post('/api/articles', body)

const get = (path: string) => fetch(`${server().url}${path}`)

/** Waits until the site feed carries the article in every format (they go out one by one). */
const published = (id: string) =>
  until(`${id} in the site feeds`, async () => {
    const bodies = await Promise.all(
      ['rss.xml', 'atom.xml', 'feed.json'].map(async (file) =>
        (await get(`/feeds/${file}`)).text(),
      ),
    )
    return bodies.every((body) => body.includes(`articles/${id}`))
  })

describe('text that used to freeze a feed', () => {
  it('publishes <!ENTITY inside content, in every format, and the feeds keep moving', async () => {
    const body = '<p>Declare it as <code>&lt;!ENTITY x "y"&gt;</code>.</p><p><!ENTITY raw "z"></p>'
    expect((await post(article('entity-text', { contentHtml: body }))).status).toBe(201)
    await published('entity-text')
    for (const file of ['rss.xml', 'atom.xml', 'feed.json']) {
      const feed = await (await get(`/feeds/${file}`)).text()
      expect(feed).toContain('articles/entity-text')
      expect(feed).toMatch(/&lt;!ENTITY x|&amp;lt;!ENTITY x|\\u003c!ENTITY|&lt;!ENTITY/)
    }
    expect(
      (await post(article('after-entity', { publishedAt: '2026-11-28T11:00:00Z' }))).status,
    ).toBe(201)
    await published('after-entity')
    expect(server().lastBuild()?.failures).toEqual([])
  })

  it('refuses dates that no format can write with a 400 naming the field', async () => {
    for (const [field, value] of [
      ['publishedAt', '9999-12-31T23:59:59-01:00'],
      ['publishedAt', '0500-06-01T00:00:00Z'],
      ['updatedAt', '9999-12-31T23:30:00-01:00'],
    ] as const) {
      const response = await post(article(`date-${value.slice(0, 4)}`, { [field]: value }))
      expect(response.status).toBe(400)
      const problem = (await response.json()) as {
        errors: Array<{ path: string; message: string }>
      }
      expect(problem.errors).toEqual([
        { path: field, message: expect.stringContaining('9999-12-31T23:59:59Z') },
      ])
    }
    // The last instant every format can write is accepted (and waits, scheduled, until then);
    // the first is published.
    const last = await post(article('last-instant', { publishedAt: '9999-12-31T23:59:59Z' }))
    expect(last.status).toBe(201)
    const first = await post(article('first-instant', { publishedAt: '1000-01-01T00:00:00Z' }))
    expect(first.status).toBe(201)
    await published('first-instant')
  })

  it('publishes feeds of labels and names that contain &amp;, titled as written', async () => {
    const response = await post(
      article('amp-labels', {
        categories: ['R&amp;D'],
        authors: [{ name: 'Tom &amp; Jerry' }],
      }),
    )
    expect(response.status).toBe(201)
    for (const [path, title] of [
      ['/feeds/categories/r-and-amp-d', 'Example Science: R&amp;D'],
      ['/feeds/authors/tom-and-amp-jerry', 'Example Science: Tom &amp; Jerry'],
    ] as const) {
      // The formats of a document go out one after the other: wait for the last.
      await until(path, async () => (await get(`${path}/feed.json`)).ok)
      for (const format of ['rss', 'atom'] as const) {
        const xml = await (await get(`${path}/${format}.xml`)).text()
        const parsed = parseXml(xml, [])
        if (!('doc' in parsed)) throw new Error(parsed.error)
        const root = parsed.doc[format === 'rss' ? 'rss' : 'feed'] as Record<string, unknown>
        const holder = format === 'rss' ? (root.channel as Record<string, unknown>) : root
        expect(text(holder.title)).toBe(title)
      }
      const json = (await (await get(`${path}/feed.json`)).json()) as { title: string }
      expect(json.title).toBe(title)
    }
  })
})

describe('one bad item never freezes a feed', () => {
  it('publishes the feeds without a stored row that fails, names it, and moves on', async () => {
    // A row stored before dates were bounded (or behind validation's back): year 10000.
    const valid = (await (await get('/articles/entity-text')).json()) as Record<string, unknown>
    await server().store.articles.upsert({
      ...(valid as unknown as Article),
      id: 'stored-long-ago',
      categories: ['Quarantine'],
      publishedAt: '+010000-01-01T00:59:59.000Z',
      updatedAt: '+010000-01-01T00:59:59.000Z',
    })
    const write = await post(
      article('after-bad-row', { categories: ['Quarantine'], publishedAt: '2026-11-28T12:00:00Z' }),
    )
    expect(write.status).toBe(201)
    const feed = '/feeds/categories/quarantine/atom.xml'
    await until(feed, async () => (await (await get(feed)).text()).includes('after-bad-row'))
    expect(await (await get(feed)).text()).not.toContain('stored-long-ago')
    // Feeds go out while the build runs; its report is saved when it ends.
    await until('the build report', async () => (server().lastBuild()?.quarantinedTotal ?? 0) > 0)
    const report = (await (await api.call('GET', '/api/builds/latest')).json()) as {
      failures: unknown[]
      quarantined: Array<{ feed: string; article: string }>
    }
    expect(report.failures).toEqual([])
    expect(report.quarantined).toContainEqual(
      expect.objectContaining({
        feed: '/feeds/categories/quarantine/rss.xml',
        article: 'stored-long-ago',
      }),
    )
    expect(server().lastBuild()?.quarantinedTotal).toBeGreaterThan(0)
  })
})

describe('content safe to syndicate', () => {
  it('stores and syndicates article HTML without script, handlers, javascript: or foreign frames', async () => {
    const hostile =
      '<p onclick="steal()">Hello<script>alert(1)</script></p>' +
      '<a href="javascript:alert(1)">go</a>' +
      '<iframe src="https://evil.example/"></iframe>' +
      '<iframe src="https://www.youtube-nocookie.com/embed/abc"></iframe>' +
      '<!DOCTYPE html><figure><img src="/img/a.jpg" alt="A" /><figcaption>C</figcaption></figure>'
    expect((await post(article('hostile-html', { contentHtml: hostile }))).status).toBe(201)
    const stored = (await (await get('/articles/hostile-html')).json()) as { contentHtml: string }
    expect(stored.contentHtml).toBe(
      '<p>Hello</p><a>go</a><iframe src="https://www.youtube-nocookie.com/embed/abc"></iframe>' +
        '<figure><img src="https://news.example.org/img/a.jpg" alt="A" /><figcaption>C</figcaption></figure>',
    )
    await published('hostile-html')
    const feed = (await (await get('/feeds/feed.json')).json()) as {
      items: Array<{ id: string; content_html: string }>
    }
    const item = feed.items.find((i) => i.id.endsWith('articles/hostile-html'))
    expect(item?.content_html).toBe(stored.contentHtml)
    for (const file of ['rss.xml', 'atom.xml']) {
      const xml = await (await get(`/feeds/${file}`)).text()
      expect(xml).not.toMatch(/<script|onclick|javascript:|evil\.example|<!DOCTYPE html>/i)
    }
  })
})
