// Stable pages live on the shelf (files under FEEDS_DIR and validators), not in memory: served with
// the same headers as before (the hub in Link, a build period's Cache-Control, 304s), subscribed to
// over the built-in hub, which delivers each new version read from its file, and not rendered again
// after a restart when nothing in them changed.
import { createHmac } from 'node:crypto'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { type Service, startService } from '../../src/service.js'
import { ADMIN_TOKEN, adminApi } from '../helpers/admin.js'
import { tempDir, testConfig } from '../helpers/fixtures.js'
import { FAST_HUB } from '../helpers/hub.js'
import { QUIET, until, useService } from '../helpers/service.js'
import { hubRequest, type Subscriber, startSubscriber } from '../helpers/subscriber.js'

const SITE = 'https://news.example.org'
// 9 seeded articles, 2 a document, 3 documents a feed: the site feed keeps stable pages 3 and 4;
// page 3 holds climate-tipping-point-human-evolution and blood-falls-antarctica.
const PAGING = { FEED_LIMIT: '2', FEED_PAGES: '3' }
const PAGE = '/feeds/stable/3/atom.xml'
const IN_PAGE = 'blood-falls-antarctica'
const WEBSUB = { websub: { ...FAST_HUB, minLeaseSeconds: 1 } }
const ENV = { FEEDWRIGHT_ADMIN_TOKEN: ADMIN_TOKEN, REBUILD_DEBOUNCE_MS: '20', ...PAGING }

const stablePaths = (paths: Iterable<{ urlPath: string }>) =>
  [...paths].map((o) => o.urlPath).filter((p) => p.includes('/stable/'))

/** Edits an article's summary through the admin API. */
const edit = async (base: string, id: string, summary: string) => {
  const response = await adminApi(base).patch(`/api/articles/${id}`, { summary })
  expect(response.status).toBe(200)
}

describe('stable pages on the shelf (the service)', () => {
  const server = useService(ENV, WEBSUB)
  let subscriber: Subscriber
  beforeAll(async () => {
    subscriber = await startSubscriber()
  })
  afterAll(() => subscriber.close())

  it('holds no stable page in memory; the shelf holds each, served as before', async () => {
    const { outputs, shelf, url } = server()
    await until('the archive build recorded the shelf', () => shelf?.basis() !== undefined)
    expect(stablePaths(outputs.list())).toEqual([])
    const shelved = stablePaths(shelf!.list())
    // Four formats (page for people too) of each stable page of each feed that has some.
    expect(shelved).toContain(PAGE)
    expect(shelved).toContain('/feeds/stable/3/')
    const identity = { 'accept-encoding': 'identity' }
    const response = await fetch(`${url}${PAGE}`, { headers: identity })
    expect(response.status).toBe(200)
    const bytes = new Uint8Array(await response.arrayBuffer())
    expect(response.headers.get('etag')).toBe(shelf!.get(PAGE)!.etag)
    expect(new TextDecoder().decode(bytes)).toContain(IN_PAGE)
    expect(bytes).toEqual(await shelf!.read(shelf!.get(PAGE)!, 'identity'))
    expect(response.headers.get('link')).toBe(
      `<${SITE}/websub>; rel="hub", <${SITE}${PAGE}>; rel="self"`,
    )
    expect(response.headers.get('cache-control')).toMatch(/^public, max-age=\d+, stale-while/)
    const again = await fetch(`${url}${PAGE}`, {
      headers: { ...identity, 'if-none-match': response.headers.get('etag')! },
    })
    expect(again.status).toBe(304)
    // Its page for people, to a browser.
    const page = await fetch(`${url}${PAGE}`, { headers: { 'sec-fetch-dest': 'document' } })
    expect(page.headers.get('content-type')).toMatch(/^text\/html/)
  })

  it('verifies a subscription to a stable page and delivers its new version when it changes', async () => {
    const { url, store, shelf, websub } = server()
    const topic = `${SITE}${PAGE}`
    const response = await hubRequest(url, {
      'hub.mode': 'subscribe',
      'hub.callback': subscriber.callback('/stable'),
      'hub.topic': topic,
      'hub.secret': 'between-us',
    })
    expect(response.status).toBe(202)
    await until('subscription verified', async () =>
      (await store.subscriptions.live(topic, new Date().toISOString())).some(
        (s) => s.callback === subscriber.callback('/stable'),
      ),
    )
    const before = shelf!.get(PAGE)!.etag
    await edit(url, IN_PAGE, 'A new summary for the stable page.')
    await until('the new version delivered', () =>
      subscriber.deliveries.some((d) => d.path === '/stable'),
    )
    await websub.idle()
    const delivered = subscriber.deliveries.filter((d) => d.path === '/stable')
    expect(delivered).toHaveLength(1)
    const { body, headers } = delivered[0]!
    expect(body.toString()).toContain('A new summary for the stable page.')
    const served = await fetch(`${url}${PAGE}`, { headers: { 'accept-encoding': 'identity' } })
    expect(served.headers.get('etag')).not.toBe(before)
    expect(new Uint8Array(body)).toEqual(new Uint8Array(await served.arrayBuffer()))
    const signature = createHmac('sha256', 'between-us').update(body).digest('hex')
    expect(headers['x-hub-signature']).toBe(`sha256=${signature}`)
    expect(headers['link']).toBe(`<${SITE}/websub>; rel="hub", <${topic}>; rel="self"`)
  })

  it('refuses a subscription to an archive document, as before', async () => {
    const { url, shelf } = server()
    const archive = shelf!.list().find((o) => o.urlPath.startsWith('/feeds/archive/'))!
    expect(archive).toBeDefined()
    const response = await hubRequest(url, {
      'hub.mode': 'subscribe',
      'hub.callback': subscriber.callback('/archive'),
      'hub.topic': `${SITE}${archive.urlPath}`,
    })
    expect(response.status).toBe(400)
  })
})

describe('stable pages across a restart (same store, same FEEDS_DIR)', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>
  let service: Service | undefined
  afterEach(async () => {
    await service?.close()
    service = undefined
    await dir.cleanup()
  })

  it('renders no unchanged stable page again in the first build after a restart', async () => {
    dir = await tempDir()
    const start = () => startService(testConfig(dir.path, ENV), QUIET)
    service = await start()
    const first = service
    await until('the archive build recorded the shelf', () => first.shelf?.basis() !== undefined)
    const pages = stablePaths(first.shelf!.list())
    expect(pages.length).toBeGreaterThan(4)
    const validators = async (s: Service) =>
      Promise.all(
        [PAGE, '/feeds/stable/4/rss.xml'].map(async (path) => {
          const response = await fetch(`${s.url}${path}`)
          return `${response.status} ${response.headers.get('etag')} ${response.headers.get('last-modified')}`
        }),
      )
    const before = await validators(first)
    await first.close()

    service = await start()
    const second = service
    await until('the first build after the restart', () => second.lastBuild() !== undefined)
    const report = second.lastBuild()!
    expect(report.failures).toEqual([])
    // Every feed's subscription document (restored from feeds/, so rebuilt) and the index page
    // and OPML list: no stable page, no archive part.
    expect(report.archiveMonths).toBe(0)
    expect(report.rendered).toBe(report.feeds * 4 + 2)
    expect(stablePaths(second.shelf!.list()).sort()).toEqual(pages.sort())
    expect(stablePaths(second.outputs.list())).toEqual([])
    expect(await validators(second)).toEqual(before)

    // A change still reaches the page that holds it: that page alone is rendered.
    await edit(second.url, IN_PAGE, 'Changed after the restart.')
    await until('the edit built', async () =>
      (await (await fetch(`${second.url}${PAGE}`)).text()).includes('Changed after the restart.'),
    )
  })
})
