// The hub on its own, over a real SQLite store and real sockets: what the service test cannot see.
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ValidationError } from '../../src/lib/errors.js'
import { createPublishedOutputs } from '../../src/publish/outputs.js'
import { openSqliteStore } from '../../src/store/sqlite.js'
import type { Store } from '../../src/store/store.js'
import { createHub, type Hub } from '../../src/websub/hub.js'
import { HUB_TOPIC as TOPIC, hubOver, siteFeed, subscribeForm } from '../helpers/hub.js'
import { type Subscriber, startSubscriber } from '../helpers/subscriber.js'

const SETTINGS = {
  defaultLeaseSeconds: 3600,
  minLeaseSeconds: 60,
  maxLeaseSeconds: 7200,
  attempts: 2,
  retryBaseMs: 20,
  timeoutMs: 300,
}

let store: Store
let subscriber: Subscriber
let logged: string[]
const outputs = createPublishedOutputs()

const hubWith = (allowPrivateCallbacks: boolean): Hub =>
  createHub({
    ...hubOver(store.subscriptions, outputs),
    settings: SETTINGS,
    allowPrivateCallbacks,
    log: { info: (m) => logged.push(m), error: (m) => logged.push(m) },
  })

const form = (callback: string, extra: Record<string, string> = {}) =>
  subscribeForm(callback, TOPIC, extra)

beforeEach(async () => {
  store = openSqliteStore(':memory:')
  subscriber = await startSubscriber()
  logged = []
  outputs.put(await siteFeed('<feed>one</feed>'))
})
afterEach(async () => {
  await subscriber.close()
  await store.close()
})

describe('WebSub hub', () => {
  it('refuses callbacks on loopback and private networks unless allowed', async () => {
    const hub = hubWith(false)
    for (const callback of [
      'http://127.0.0.1:9/cb',
      'http://10.1.2.3/cb',
      'http://[::1]/cb',
      'http://localhost/cb',
    ]) {
      const error = await hub.request(form(callback)).catch((e: unknown) => e)
      expect(error, callback).toBeInstanceOf(ValidationError)
      expect((error as ValidationError).issues[0]!.path).toBe('hub.callback')
    }
  })

  it('lets a subscriber leave a feed that has since been taken down', async () => {
    const hub = hubWith(true)
    await hub.request(form(subscriber.callback('/leaving')))
    await hub.idle()
    outputs.remove('/feeds/atom.xml')
    await expect(hub.request(form(subscriber.callback('/late')))).rejects.toThrow(/hub.topic/)
    await hub.request(form(subscriber.callback('/leaving'), { 'hub.mode': 'unsubscribe' }))
    await hub.idle()
    expect(await store.subscriptions.live(TOPIC, new Date().toISOString())).toEqual([])
  })

  it('grants a lease within the configured bounds', async () => {
    const hub = hubWith(true)
    await hub.request(form(subscriber.callback('/long'), { 'hub.lease_seconds': '999999' }))
    await hub.request(form(subscriber.callback('/short'), { 'hub.lease_seconds': '5' }))
    await hub.idle()
    const leases = Object.fromEntries(
      subscriber.verifications.map((v) => [v.path, v.params['hub.lease_seconds']]),
    )
    expect(leases).toEqual({ '/long': '7200', '/short': '60' })
    const live = await store.subscriptions.live(TOPIC, new Date().toISOString())
    expect(live.map((s) => s.leaseSeconds).sort()).toEqual([60, 7200])
  })

  it('reads no more than 4 KiB of an answer: an oversized challenge echo does not verify', async () => {
    const big = createServer((request, response) => {
      const challenge = new URL(request.url!, 'http://x').searchParams.get('hub.challenge')!
      response.end(challenge + 'x'.repeat(1 << 20))
    })
    await new Promise<void>((resolve) => big.listen(0, '127.0.0.1', resolve))
    const hub = hubWith(true)
    await hub.request(form(`http://127.0.0.1:${(big.address() as AddressInfo).port}/cb`))
    await hub.idle()
    big.close()
    expect(await store.subscriptions.live(TOPIC, new Date().toISOString())).toEqual([])
  })

  it('delivers each version once, times out a silent callback and gives up after the attempts', async () => {
    const silent = createServer((request) => {
      // Answers the verification, then never answers a delivery.
      if (request.method === 'GET') {
        const url = new URL(request.url!, 'http://x')
        request.socket.end(
          `HTTP/1.1 200 OK\r\nContent-Length: 32\r\n\r\n${url.searchParams.get('hub.challenge')}`,
        )
      }
    })
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
    const hub = hubWith(true)
    const silentCallback = `http://127.0.0.1:${(silent.address() as AddressInfo).port}/cb`
    await hub.request(form(subscriber.callback('/ok')))
    await hub.request(form(silentCallback))
    await hub.idle()
    expect(await store.subscriptions.live(TOPIC, new Date().toISOString())).toHaveLength(2)

    const version = outputs.get('/feeds/atom.xml')!
    const started = Date.now()
    await hub.distribute([version])
    await hub.idle()
    // Two attempts of at most 300 ms each, 20 ms apart.
    expect(Date.now() - started).toBeLessThan(2_000)
    // The log says what was given up and why the last attempt failed (the time limit).
    const gaveUp = logged.find((m) =>
      m.includes(`gave up delivering ${TOPIC} to ${silentCallback}`),
    )
    expect(gaveUp).toMatch(/: .*(timeout|aborted)/i)
    // The same version again (a restart rebuilding unchanged feeds) is not delivered twice.
    await hub.distribute([version])
    await hub.idle()
    expect(subscriber.deliveries).toHaveLength(1)
    silent.closeAllConnections()
    silent.close()
  })

  it('reads a version kept on disk when each attempt needs it, and skips one no longer there', async () => {
    const hub = hubWith(true)
    await hub.request(form(subscriber.callback('/read')))
    await hub.idle()
    const served = await siteFeed('<feed>on the shelf</feed>')
    const { urlPath, format, contentType, etag } = served
    const reads: string[] = []
    // A shelved feed: its bytes read from its file per attempt, not held in between.
    subscriber.answerDeliveries('/read', [503])
    const onDisk = {
      ...{ urlPath, format, contentType, etag },
      read: async () => {
        reads.push('read')
        return served.body
      },
    }
    await hub.distribute([onDisk])
    await hub.idle()
    expect(reads).toEqual(['read', 'read']) // the 503, then the retry
    const delivered = subscriber.deliveries.filter((d) => d.path === '/read')
    expect(delivered.map((d) => d.body.toString())).toEqual([
      '<feed>on the shelf</feed>',
      '<feed>on the shelf</feed>',
    ])
    // A version whose file holds other bytes now (replaced or taken down): nothing is sent.
    const gone = { ...onDisk, etag: '"another"', read: async () => undefined }
    await hub.distribute([gone])
    await hub.idle()
    expect(subscriber.deliveries.filter((d) => d.path === '/read')).toHaveLength(2)
  })
})
