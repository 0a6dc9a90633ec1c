// The built-in WebSub hub on the real server, with a real subscriber on an ephemeral port.
import { createHmac } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ADMIN_TOKEN, adminApi } from '../helpers/admin.js'
import { FAST_HUB } from '../helpers/hub.js'
import { until, useService } from '../helpers/service.js'
import { hubRequest as request, type Subscriber, startSubscriber } from '../helpers/subscriber.js'

const SITE = 'https://news.example.org'
const SPACE = `${SITE}/feeds/categories/space/atom.xml`
const CLIMATE = `${SITE}/feeds/categories/climate/rss.xml`
const server = useService(
  { FEEDWRIGHT_ADMIN_TOKEN: ADMIN_TOKEN, REBUILD_DEBOUNCE_MS: '20' },
  { websub: { ...FAST_HUB, minLeaseSeconds: 1, sweepSeconds: 1 } },
)
let subscriber: Subscriber
beforeAll(async () => {
  subscriber = await startSubscriber()
})
afterAll(() => subscriber.close())

const hubRequest = (params: Record<string, string>, contentType?: string) =>
  request(server().url, params, contentType ? { 'content-type': contentType } : {})

const subscribe = async (path: string, topic: string, extra: Record<string, string> = {}) => {
  const response = await hubRequest({
    'hub.mode': 'subscribe',
    'hub.callback': subscriber.callback(path),
    'hub.topic': topic,
    ...extra,
  })
  expect(response.status).toBe(202)
}

const subscribed = async (path: string, topic: string) =>
  (await server().store.subscriptions.live(topic, new Date().toISOString())).some(
    (s) => s.callback === subscriber.callback(path),
  )

/** Changes a Space article (a new summary), which changes the Space feeds and the site feeds. */
let edits = 0
const editSpaceArticle = async () => {
  edits += 1
  const response = await adminApi(server().url).patch('/api/articles/artemis-ii-launch-pad', {
    summary: `Edited ${edits} times.`,
  })
  expect(response.status).toBe(200)
}

const deliveriesTo = (path: string) => subscriber.deliveries.filter((d) => d.path === path)

describe('WebSub hub: subscriptions', () => {
  it('verifies intent with a challenge and stores the subscription with its lease', async () => {
    await subscribe('/space', SPACE, { 'hub.lease_seconds': '3600', 'hub.secret': 'tell-no-one' })
    await until('subscription confirmed', () => subscribed('/space', SPACE))
    const check = subscriber.verifications.find((v) => v.path === '/space')!
    expect(check.params).toMatchObject({
      'hub.mode': 'subscribe',
      'hub.topic': SPACE,
      'hub.lease_seconds': '3600',
    })
    expect(check.params['hub.challenge']).toMatch(/^[0-9a-f]{32}$/)
  })

  it('does not subscribe a callback that fails the challenge', async () => {
    subscriber.answerVerification('/liar', 'wrong-challenge')
    subscriber.answerVerification('/gone', 'not-found')
    await subscribe('/liar', SPACE)
    await subscribe('/gone', SPACE)
    await until('both verifications sent', () =>
      ['/liar', '/gone'].every((p) => subscriber.verifications.some((v) => v.path === p)),
    )
    await server().websub.idle()
    expect(await subscribed('/liar', SPACE)).toBe(false)
    expect(await subscribed('/gone', SPACE)).toBe(false)
  })

  it('refuses bad requests with 400 naming the parameter, and other media types with 415', async () => {
    const cases: Array<[Record<string, string>, string]> = [
      [{ 'hub.callback': 'ftp://x.test/cb', 'hub.topic': SPACE }, 'hub.mode'],
      [
        { 'hub.mode': 'subscribe', 'hub.callback': 'ftp://x.test/cb', 'hub.topic': SPACE },
        'hub.callback',
      ],
      [
        { 'hub.mode': 'subscribe', 'hub.callback': 'http://x.test/#f', 'hub.topic': SPACE },
        'hub.callback',
      ],
      [
        {
          'hub.mode': 'subscribe',
          'hub.callback': subscriber.callback('/x'),
          'hub.topic': `${SITE}/feeds/nope/atom.xml`,
        },
        'hub.topic',
      ],
      [
        {
          'hub.mode': 'subscribe',
          'hub.callback': subscriber.callback('/x'),
          'hub.topic': SPACE,
          'hub.secret': 's'.repeat(200),
        },
        'hub.secret',
      ],
      [
        {
          'hub.mode': 'subscribe',
          'hub.callback': subscriber.callback('/x'),
          'hub.topic': SPACE,
          'hub.lease_seconds': '-5',
        },
        'hub.lease_seconds',
      ],
    ]
    for (const [params, field] of cases) {
      const response = await hubRequest(params)
      expect(response.status, field).toBe(400)
      const problem = (await response.json()) as { errors: Array<{ path: string }> }
      expect(problem.errors.map((e) => e.path)).toContain(field)
    }
    expect((await hubRequest({ 'hub.mode': 'subscribe' }, 'application/json')).status).toBe(415)
    const missing = await hubRequest({ 'hub.mode': 'subscribe' })
    expect(((await missing.json()) as { errors: unknown[] }).errors).toEqual([
      { path: 'hub.callback', message: 'is required' },
      { path: 'hub.topic', message: 'is required' },
    ])
  })
})

describe('WebSub hub: content distribution', () => {
  it('delivers the new feed after a change, signed with the secret, to the topic subscribers only', async () => {
    await subscribe('/climate', CLIMATE)
    await until('climate subscription', () => subscribed('/climate', CLIMATE))
    await editSpaceArticle()
    await until('a delivery to /space', () => deliveriesTo('/space').length > 0)
    const delivery = deliveriesTo('/space').at(-1)!
    const served = Buffer.from(
      await (await fetch(`${server().url}/feeds/categories/space/atom.xml`)).arrayBuffer(),
    )
    expect(delivery.body.equals(served)).toBe(true)
    expect(delivery.body.toString()).toContain('Edited 1 times.')
    expect(delivery.headers['content-type']).toBe('application/atom+xml; charset=utf-8')
    expect(delivery.headers.link).toBe(`<${SITE}/websub>; rel="hub", <${SPACE}>; rel="self"`)
    const expected = createHmac('sha256', 'tell-no-one').update(delivery.body).digest('hex')
    expect(delivery.headers['x-hub-signature']).toBe(`sha256=${expected}`)
    await server().websub.idle()
    expect(deliveriesTo('/climate')).toHaveLength(0)
    // The climate subscriber gave no secret: its deliveries are not signed.
  })

  it('retries a callback that fails, with backoff, until it accepts', async () => {
    const before = deliveriesTo('/space').length
    subscriber.answerDeliveries('/space', [503, 500])
    await editSpaceArticle()
    await until('three attempts at /space', () => deliveriesTo('/space').length >= before + 3)
    await server().websub.idle()
    expect(deliveriesTo('/space')).toHaveLength(before + 3)
    expect(deliveriesTo('/space').at(-1)!.body.toString()).toContain(`Edited ${edits} times.`)
  })

  it('ends the subscription of a callback answering 410 Gone', async () => {
    subscriber.answerDeliveries('/space', [410])
    await editSpaceArticle()
    await until('the subscription is gone', async () => !(await subscribed('/space', SPACE)))
  })

  it('unsubscribes after verification and delivers nothing more', async () => {
    await subscribe('/space2', SPACE)
    await until('subscribed', () => subscribed('/space2', SPACE))
    const response = await hubRequest({
      'hub.mode': 'unsubscribe',
      'hub.callback': subscriber.callback('/space2'),
      'hub.topic': SPACE,
    })
    expect(response.status).toBe(202)
    await until('unsubscribed', async () => !(await subscribed('/space2', SPACE)))
    expect(subscriber.verifications.at(-1)!.params['hub.mode']).toBe('unsubscribe')
    await editSpaceArticle()
    await server().scheduler.rebuild()
    await server().websub.idle()
    expect(deliveriesTo('/space2')).toHaveLength(0)
  })

  it('expires a lease that was not renewed', async () => {
    await subscribe('/brief', SPACE, { 'hub.lease_seconds': '1' })
    await until('subscribed', () => subscribed('/brief', SPACE))
    // Gone from the table itself (the sweep deleted it), not only past its lease.
    await until(
      'the lease expired and was swept',
      async () =>
        !(await server().store.subscriptions.live(SPACE, new Date(0).toISOString())).some(
          (s) => s.callback === subscriber.callback('/brief'),
        ),
      5_000,
    )
    await editSpaceArticle()
    await server().scheduler.rebuild()
    await server().websub.idle()
    expect(deliveriesTo('/brief')).toHaveLength(0)
  })

  it('gives up on a callback that is down after the configured attempts, others unaffected', async () => {
    const doomed = await startSubscriber()
    const callback = doomed.callback('/down')
    await hubRequest({ 'hub.mode': 'subscribe', 'hub.callback': callback, 'hub.topic': SPACE })
    await subscribe('/alive', SPACE)
    await until('both subscribed', async () => {
      const live = await server().store.subscriptions.live(SPACE, new Date().toISOString())
      return live.some((s) => s.callback === callback) && (await subscribed('/alive', SPACE))
    })
    await doomed.close()
    const started = Date.now()
    await editSpaceArticle()
    await until('a delivery to /alive', () => deliveriesTo('/alive').length > 0)
    await server().websub.idle()
    // Three attempts, 50 ms then 100 ms apart: refused connections fail fast.
    expect(Date.now() - started).toBeLessThan(5_000)
    expect(deliveriesTo('/alive').at(-1)!.body.toString()).toContain(`Edited ${edits} times.`)
  })
})
