// WebSub for a feed whose path is in another script: the topic is the percent-encoded self URL
// the feed advertises; subscribing to it and receiving its updates work like any other.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ADMIN_TOKEN, adminApi } from '../helpers/admin.js'
import { FAST_HUB } from '../helpers/hub.js'
import { until, useService } from '../helpers/service.js'
import { hubRequest, type Subscriber, startSubscriber } from '../helpers/subscriber.js'

const TOPIC = `https://news.example.org/feeds/authors/${encodeURIComponent('李明')}/atom.xml`
const server = useService(
  { FEEDWRIGHT_ADMIN_TOKEN: ADMIN_TOKEN, REBUILD_DEBOUNCE_MS: '20' },
  { websub: FAST_HUB },
)
let subscriber: Subscriber
beforeAll(async () => {
  subscriber = await startSubscriber()
})
afterAll(() => subscriber.close())

const api = adminApi(() => server().url)
const write = (summary: string) =>
  api.put('/api/articles/li-ming-reports', {
    id: 'li-ming-reports',
    title: 'A report',
    summary,
    contentHtml: '<p>Body.</p>',
    url: 'https://news.example.org/science/li-ming-reports',
    authors: [{ name: '李明' }],
    publishedAt: '2026-11-28T10:00:00Z',
  })

describe('WebSub: a feed named in another script', () => {
  it('verifies a subscription to the percent-encoded topic and delivers its updates', async () => {
    expect((await write('First.')).status).toBeLessThan(300)
    await until('the feed', async () => {
      const response = await fetch(`${server().url}/feeds/authors/${encodeURIComponent('李明')}/`)
      return response.ok
    })
    const atom = await (await fetch(`${server().url}/feeds/authors/李明/atom.xml`)).text()
    expect(atom).toContain(`href="${TOPIC}"`)
    const subscribe = await hubRequest(server().url, {
      'hub.mode': 'subscribe',
      'hub.callback': subscriber.callback('/li'),
      'hub.topic': TOPIC,
    })
    expect(subscribe.status).toBe(202)
    await until('verified', () =>
      subscriber.verifications.some((v) => v.path === '/li' && v.params['hub.topic'] === TOPIC),
    )
    await until(
      'stored',
      async () =>
        (await server().store.subscriptions.live(TOPIC, new Date().toISOString())).length > 0,
    )
    expect((await write('Second.')).status).toBeLessThan(300)
    await until('delivered', () =>
      subscriber.deliveries.some((d) => d.path === '/li' && d.body.toString().includes('Second.')),
    )
    const delivery = subscriber.deliveries.find((d) => d.body.toString().includes('Second.'))!
    expect(delivery.headers.link).toContain(`<${TOPIC}>; rel="self"`)
  })
})
