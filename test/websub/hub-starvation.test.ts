// A slow callback host only slows itself: on loopback, hundreds of subscriptions to a callback that
// never answers in time delay neither a legitimate verification nor another subscriber's delivery;
// and what a host or topic may have pending is capped.
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { OverloadedError, TooManyRequestsError } from '../../src/lib/errors.js'
import { createPublishedOutputs } from '../../src/publish/outputs.js'
import { openSqliteStore } from '../../src/store/sqlite.js'
import type { Store } from '../../src/store/store.js'
import { createHub, type Hub } from '../../src/websub/hub.js'
import type { HubSettings } from '../../src/websub/hub-settings.js'
import { HUB_TOPIC as TOPIC, hubOver, siteFeed, subscribeForm as form } from '../helpers/hub.js'
import { until } from '../helpers/service.js'
import { type Subscriber, startSubscriber } from '../helpers/subscriber.js'

const SLOW_REQUESTS = 200
const SETTINGS: HubSettings = {
  defaultLeaseSeconds: 3600,
  minLeaseSeconds: 60,
  maxLeaseSeconds: 7200,
  attempts: 1,
  retryBaseMs: 20,
  // Each request to the slow host holds its slot this long.
  timeoutMs: 3_000,
  verifyConcurrency: 8,
  deliveryConcurrency: 8,
  hostConcurrency: 2,
  maxPendingVerifications: 10_000,
  maxPendingPerHost: 10_000,
  maxPendingPerTopic: 10_000,
}

let store: Store
let slow: Server
let slowBase: string
let slowSeen: number
let honest: Subscriber
let hub: Hub | undefined
const outputs = createPublishedOutputs()

const hubWith = (settings: Partial<HubSettings> = {}): Hub =>
  (hub = createHub({
    ...hubOver(store.subscriptions, outputs),
    settings: { ...SETTINGS, ...settings },
    allowPrivateCallbacks: true,
    log: { info: () => {}, error: () => {} },
  }))

beforeEach(async () => {
  store = openSqliteStore(':memory:')
  slowSeen = 0
  // Accepts every request and never answers: each one ends at the hub's timeout.
  slow = createServer(() => {
    slowSeen += 1
  })
  await new Promise<void>((resolve) => slow.listen(0, '127.0.0.1', resolve))
  slowBase = `http://127.0.0.1:${(slow.address() as AddressInfo).port}`
  // Another callback host: 127.0.0.2 is loopback too, but not the slow one's host.
  honest = await startSubscriber('127.0.0.2')
  outputs.put(await siteFeed('<feed>one</feed>'))
})
afterEach(async () => {
  hub?.close()
  hub = undefined
  slow.closeAllConnections()
  slow.close()
  await honest.close()
  await store.close()
})

describe('WebSub hub under a slow callback host', () => {
  it(`confirms a legitimate subscription at once while ${SLOW_REQUESTS} verifications hang`, async () => {
    const h = hubWith()
    for (let i = 0; i < SLOW_REQUESTS; i += 1) await h.request(form(`${slowBase}/slow/${i}`))
    const started = Date.now()
    await h.request(form(honest.callback('/honest')))
    await until('the honest subscription is confirmed', async () =>
      (await store.subscriptions.live(TOPIC, new Date().toISOString())).some(
        (s) => s.callback === honest.callback('/honest'),
      ),
    )
    // One round trip on loopback; the slow host's requests each hold a slot for 3 s.
    expect(Date.now() - started).toBeLessThan(1_000)
    // The slow host never had more than its own slots in flight.
    expect(slowSeen).toBeLessThanOrEqual(SETTINGS.hostConcurrency!)
  })

  it(`delivers to another subscriber at once while ${SLOW_REQUESTS} deliveries to a slow host hang`, async () => {
    const h = hubWith()
    const lease = { leaseSeconds: 3600, expiresAt: new Date(Date.now() + 3_600_000).toISOString() }
    for (let i = 0; i < SLOW_REQUESTS; i += 1) {
      await store.subscriptions.put({ topic: TOPIC, callback: `${slowBase}/slow/${i}`, ...lease })
    }
    await store.subscriptions.put({ topic: TOPIC, callback: honest.callback('/honest'), ...lease })
    const started = Date.now()
    await h.distribute([outputs.get('/feeds/atom.xml')!])
    await until('the honest subscriber got the delivery', () =>
      honest.deliveries.some((d) => d.path === '/honest'),
    )
    expect(Date.now() - started).toBeLessThan(1_000)
    expect(slowSeen).toBeLessThanOrEqual(SETTINGS.hostConcurrency!)
  })

  it('answers 429 beyond the pending verifications of one host or one topic, and 503 beyond all', async () => {
    const h = hubWith({ maxPendingPerHost: 3, maxPendingPerTopic: 5, maxPendingVerifications: 6 })
    for (let i = 0; i < 3; i += 1) await h.request(form(`${slowBase}/slow/${i}`))
    const perHost = await h.request(form(`${slowBase}/slow/3`)).catch((e: unknown) => e)
    expect(perHost).toBeInstanceOf(TooManyRequestsError)
    expect((perHost as TooManyRequestsError).status).toBe(429)
    expect((perHost as TooManyRequestsError).headers['Retry-After']).toBe('3')
    // The same request again while it is being verified is not queued twice.
    await expect(h.request(form(`${slowBase}/slow/0`))).resolves.toBeUndefined()

    // Another host may still subscribe, up to the topic's cap…
    await h.request(form(honest.callback('/a')))
    await h.request(form(honest.callback('/b')))
    const perTopic = await h.request(form(honest.callback('/c'))).catch((e: unknown) => e)
    expect(perTopic).toBeInstanceOf(TooManyRequestsError)
    expect((perTopic as Error).message).toMatch(/atom\.xml/)
  })

  it('answers 503 once the pending verifications of every host reach the cap', async () => {
    const h = hubWith({ maxPendingVerifications: 4 })
    for (let i = 0; i < 4; i += 1) await h.request(form(`${slowBase}/slow/${i}`))
    const overall = await h.request(form(honest.callback('/late'))).catch((e: unknown) => e)
    expect(overall).toBeInstanceOf(OverloadedError)
    expect((overall as OverloadedError).status).toBe(503)
    expect((overall as OverloadedError).headers['Retry-After']).toBe('3')
  })
})
