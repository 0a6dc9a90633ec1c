// Scheduled articles and drafts: stored and shown to the admin API, kept out of everything public
// until due, then published within moments of their time by the service's own timer.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ADMIN_TOKEN, adminApi } from '../helpers/admin.js'
import { useService, until } from '../helpers/service.js'
import { hubRequest, type Subscriber, startSubscriber } from '../helpers/subscriber.js'

// The cron never fires during the test: only the due timer can publish the scheduled article.
const server = useService(
  { FEEDWRIGHT_ADMIN_TOKEN: ADMIN_TOKEN, REBUILD_DEBOUNCE_MS: '100', FEED_CRON: '0 0 1 1 *' },
  { websub: { allowPrivateCallbacks: true, timeoutMs: 1_000 } },
)
const SITE_ATOM = 'https://news.example.org/feeds/atom.xml'

// A WebSub subscriber of the site feed: what it is sent is what was published.
let subscriber: Subscriber
beforeAll(async () => {
  subscriber = await startSubscriber()
  const response = await hubRequest(server().url, {
    'hub.mode': 'subscribe',
    'hub.callback': subscriber.callback('/site'),
    'hub.topic': SITE_ATOM,
  })
  expect(response.status).toBe(202)
  await until(
    'the subscription is confirmed',
    async () =>
      (await server().store.subscriptions.live(SITE_ATOM, new Date().toISOString())).length > 0,
  )
})
afterAll(() => subscriber.close())
const delivered = (): string => subscriber.deliveries.map((d) => d.body.toString()).join('\n')

const api = adminApi(() => server().url)
const admin = (method: string, path: string, body?: unknown) =>
  api.call(method, `/api${path}`, body)
const get = async (path: string) => (await fetch(`${server().url}${path}`)).text()

const article = (id: string, fields: Record<string, unknown>) => ({
  id,
  title: `Article ${id}`,
  summary: 'What it says.',
  contentHtml: '<p>Body.</p>',
  url: `https://news.example.org/science/${id}`,
  authors: [{ name: 'Hidden Author' }],
  categories: [`Category ${id}`],
  ...fields,
})

/** Everything the public can read: feeds of every format, the index, the public API. */
const everythingPublic = async (): Promise<string> => {
  const paths = ['/feeds/rss.xml', '/feeds/atom.xml', '/feeds/feed.json', '/', '/articles']
  return (await Promise.all(paths.map(get))).join('\n')
}

describe('scheduled articles and drafts', () => {
  it('keeps a far-future article and a draft out of every feed, page, archive and read', async () => {
    const nextYear = new Date(Date.now() + 365 * 86_400_000).toISOString()
    const scheduled = article('scheduled-later', { publishedAt: nextYear })
    const draft = article('a-draft', { publishedAt: '2026-11-01T10:00:00Z', status: 'draft' })
    expect((await admin('POST', '/articles', scheduled)).status).toBe(201)
    expect((await admin('POST', '/articles', draft)).status).toBe(201)
    expect(await (await admin('GET', '/articles/scheduled-later')).json()).toMatchObject({
      publishedAt: nextYear,
    })
    expect(await (await admin('GET', '/articles/a-draft')).json()).toMatchObject({
      status: 'draft',
    })
    const listed = (await (await admin('GET', '/scheduled')).json()) as { items: { id: string }[] }
    expect(listed.items.map((a) => a.id)).toEqual(['scheduled-later', 'a-draft'])
    const report = await server().scheduler.rebuild()
    expect(report.failures).toEqual([])
    const visible = await everythingPublic()
    for (const hidden of ['scheduled-later', 'a-draft', 'Hidden Author']) {
      expect(visible).not.toContain(hidden)
      expect(delivered()).not.toContain(hidden)
    }
    expect((await fetch(`${server().url}/articles/scheduled-later`)).status).toBe(404)
    expect((await fetch(`${server().url}/articles/a-draft`)).status).toBe(404)
    expect((await fetch(`${server().url}/feeds/categories/category-a-draft/rss.xml`)).status).toBe(
      404,
    )
    const month = nextYear.slice(0, 7).replace('-', '/')
    expect((await fetch(`${server().url}/feeds/archive/${month}/atom.xml`)).status).toBe(404)
    // No feed date lies in the future.
    const atom = await get('/feeds/atom.xml')
    const updated = /<updated>([^<]+)<\/updated>/.exec(atom)![1]!
    expect(Date.parse(updated)).toBeLessThanOrEqual(Date.now())
    const rss = await get('/feeds/rss.xml')
    const lastBuild = /<lastBuildDate>([^<]+)<\/lastBuildDate>/.exec(rss)![1]!
    expect(Date.parse(lastBuild)).toBeLessThanOrEqual(Date.now())
  })

  it('publishes a scheduled article within seconds of its time, without the cron', async () => {
    const due = new Date(Date.now() + 2_500)
    const soon = article('scheduled-soon', { publishedAt: due.toISOString() })
    expect((await admin('POST', '/articles', soon)).status).toBe(201)
    await new Promise((resolve) => setTimeout(resolve, 500))
    expect(await get('/feeds/feed.json')).not.toContain('scheduled-soon')
    expect(delivered()).not.toContain('scheduled-soon')
    await until('the scheduled article is published', async () =>
      (await get('/feeds/feed.json')).includes('scheduled-soon'),
    )
    const late = Date.now() - due.getTime()
    // The closing note quotes this measurement.
    console.info(`scheduled article published ${late} ms after its time`)
    expect(late).toBeGreaterThanOrEqual(0)
    expect(late).toBeLessThan(5_000)
    expect(await get('/feeds/categories/category-scheduled-soon/atom.xml')).toContain(
      'scheduled-soon',
    )
    expect((await fetch(`${server().url}/articles/scheduled-soon`)).status).toBe(200)
    await until('WebSub delivers it', () => delivered().includes('scheduled-soon'))
  })

  it('refuses to date a published article in the future, naming updatedAt', async () => {
    const response = await admin(
      'POST',
      '/articles',
      article('future-edit', {
        publishedAt: '2026-11-01T10:00:00Z',
        updatedAt: new Date(Date.now() + 86_400_000).toISOString(),
      }),
    )
    expect(response.status).toBe(400)
    expect(JSON.stringify(await response.json())).toContain('updatedAt')
  })
})
