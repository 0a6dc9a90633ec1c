// The hub's address check: which addresses are public, and the lookup hook that checks the address
// each connection really uses. Every connection here goes to 127.0.0.1; public addresses appear
// only as DNS answers that are checked and refused or never connected to.
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createAddressGuard, isPublicAddress, type Resolver } from '../../src/websub/addresses.js'
import { send } from '../../src/websub/outbound.js'
import { createHub } from '../../src/websub/hub.js'
import { createPublishedOutputs, makeOutput, withEncodings } from '../../src/publish/outputs.js'
import { openSqliteStore } from '../../src/store/sqlite.js'

const LIMITS = { timeoutMs: 2_000, maxResponseBytes: 4096 }

describe('isPublicAddress', () => {
  it.each([['8.8.8.8'], ['93.184.216.34'], ['2606:4700:4700::1111'], ['2001:4860:4860::8888']])(
    'allows the public unicast address %s',
    (address) => {
      expect(isPublicAddress(address)).toBe(true)
    },
  )

  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.8.9.10', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['192.168.1.1', 'private'],
    ['100.64.0.1', 'carrier-grade NAT'],
    ['169.254.169.254', 'link-local (cloud metadata)'],
    ['0.0.0.0', 'unspecified'],
    ['198.18.0.1', 'benchmarking 198.18.0.0/15'],
    ['198.19.255.254', 'benchmarking 198.18.0.0/15'],
    ['224.0.0.1', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['255.255.255.255', 'broadcast'],
    ['192.0.2.1', 'documentation'],
    ['240.0.0.1', 'reserved'],
    ['::1', 'IPv6 loopback'],
    ['::', 'IPv6 unspecified'],
    ['fe80::1', 'IPv6 link-local'],
    ['fd00::1', 'IPv6 unique local'],
    ['ff02::1', 'IPv6 multicast'],
    ['::ffff:127.0.0.1', 'IPv4-mapped loopback'],
    ['::ffff:8.8.8.8', 'IPv4-mapped, even of a public address'],
    ['::127.0.0.1', 'IPv4-compatible ::a.b.c.d'],
    ['::10.0.0.1', 'IPv4-compatible ::a.b.c.d'],
    ['64:ff9b::7f00:1', 'NAT64 64:ff9b::/96 of 127.0.0.1'],
    ['64:ff9b::a00:1', 'NAT64 64:ff9b::/96 of 10.0.0.1'],
    ['2002:7f00:1::', '6to4 of 127.0.0.1'],
    ['2001::1', 'Teredo'],
    ['2001:db8::1', 'documentation'],
    ['not an address', 'unparsable'],
  ])('refuses %s (%s)', (address) => {
    expect(isPublicAddress(address)).toBe(false)
  })
})

describe('the lookup hook', () => {
  let server: Server
  let port: number
  let received: string[]
  beforeEach(async () => {
    received = []
    server = createServer((request, response) => {
      received.push(request.url ?? '')
      response.end('hello')
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    port = (server.address() as AddressInfo).port
  })
  afterEach(() => {
    server.closeAllConnections()
    server.close()
  })

  /** A DNS that answers from a table (no query leaves the machine), counting its questions. */
  const table = (answers: Record<string, string[]>) => {
    const asked: string[] = []
    const resolve: Resolver = async (hostname) => {
      asked.push(hostname)
      const next = answers[hostname]?.shift()
      if (!next) throw Object.assign(new Error(`${hostname} not found`), { code: 'ENOTFOUND' })
      return [{ address: next, family: next.includes(':') ? 6 : 4 }]
    }
    return { resolve, asked }
  }

  it('connects to the address the hook resolved, when it is allowed', async () => {
    const dns = table({ 'callback.test': ['127.0.0.1'] })
    const guard = createAddressGuard({ allowPrivate: true, resolve: dns.resolve })
    const answer = await send(`http://callback.test:${port}/cb`, { method: 'GET' }, LIMITS, guard)
    expect(answer).toEqual({ status: 200, body: 'hello' })
    expect(dns.asked).toEqual(['callback.test'])
    expect(received).toEqual(['/cb'])
  })

  it('refuses a name that resolves to loopback before any byte is sent', async () => {
    const dns = table({ 'sneaky.test': ['127.0.0.1'] })
    const guard = createAddressGuard({ allowPrivate: false, resolve: dns.resolve })
    await expect(
      send(`http://sneaky.test:${port}/cb`, { method: 'GET' }, LIMITS, guard),
    ).rejects.toThrow(/refused to connect: sneaky\.test is 127\.0\.0\.1, not a public/)
    expect(received).toEqual([])
  })

  it('closes DNS rebinding: a name public at the check and loopback at the connection is refused', async () => {
    // The first answer (for the check) is public; the second (for the connection) is loopback.
    const dns = table({ 'rebind.test': ['93.184.216.34', '127.0.0.1'] })
    const guard = createAddressGuard({ allowPrivate: false, resolve: dns.resolve })
    expect(await guard.refusal('rebind.test')).toBeUndefined()
    await expect(
      send(`http://rebind.test:${port}/cb`, { method: 'GET' }, LIMITS, guard),
    ).rejects.toThrow(/rebind\.test is 127\.0\.0\.1/)
    expect(dns.asked).toEqual(['rebind.test', 'rebind.test'])
    expect(received).toEqual([])
  })

  it('refuses address literals that are not public without connecting', async () => {
    const guard = createAddressGuard({ allowPrivate: false, resolve: table({}).resolve })
    for (const url of [`http://127.0.0.1:${port}/cb`, `http://[::ffff:127.0.0.1]:${port}/cb`]) {
      await expect(send(url, { method: 'GET' }, LIMITS, guard)).rejects.toThrow(/refused/)
    }
    expect(received).toEqual([])
  })

  it('says why a callback is refused at subscription time', async () => {
    const guard = createAddressGuard({
      allowPrivate: false,
      resolve: table({ 'mixed.test': ['10.0.0.1'] }).resolve,
    })
    expect(await guard.refusal('mixed.test')).toMatch(/10\.0\.0\.1, not a public/)
    expect(await guard.refusal('[64:ff9b::7f00:1]')).toMatch(/not a public/)
    expect(await guard.refusal('198.18.0.1')).toMatch(/not a public/)
    expect(await guard.refusal('nowhere.test')).toMatch(/does not resolve/)
  })

  it('never delivers to a subscription whose name now resolves to loopback, and does not retry it', async () => {
    const store = openSqliteStore(':memory:')
    const outputs = createPublishedOutputs()
    const output = await withEncodings(
      makeOutput({
        urlPath: '/feeds/atom.xml',
        feedKey: 'site',
        format: 'atom',
        text: '<feed/>',
        updated: new Date(),
      }),
    )
    outputs.put(output)
    const dns = table({ 'moved.test': ['127.0.0.1', '127.0.0.1', '127.0.0.1'] })
    const logged: string[] = []
    const hub = createHub({
      subscriptions: store.subscriptions,
      feedAt: (topic) => outputs.get(new URL(topic).pathname),
      topicOf: (o) => `https://hub.example.org${o.urlPath}`,
      hubUrl: 'https://hub.example.org/websub',
      settings: {
        defaultLeaseSeconds: 3600,
        minLeaseSeconds: 60,
        maxLeaseSeconds: 7200,
        attempts: 3,
        retryBaseMs: 10,
        timeoutMs: 1_000,
      },
      resolve: dns.resolve,
      log: { info: (m) => logged.push(m), error: (m) => logged.push(m) },
    })
    const topic = 'https://hub.example.org/feeds/atom.xml'
    await store.subscriptions.put({
      topic,
      callback: `http://moved.test:${port}/cb`,
      leaseSeconds: 3600,
      expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
    })
    await hub.distribute([output])
    await hub.idle()
    hub.close()
    await store.close()
    expect(received).toEqual([])
    expect(dns.asked).toEqual(['moved.test'])
    expect(logged.join('\n')).toMatch(/not delivering .*moved\.test is 127\.0\.0\.1/)
  })
})

describe('send', () => {
  it('gives up on an answer whose body never ends, within the timeout', async () => {
    const trickle = createServer((_request, response) => {
      response.writeHead(200)
      response.write('a') // …and never more
    })
    await new Promise<void>((resolve) => trickle.listen(0, '127.0.0.1', resolve))
    const url = `http://127.0.0.1:${(trickle.address() as AddressInfo).port}/cb`
    const started = Date.now()
    await expect(
      send(url, { method: 'GET' }, { timeoutMs: 300, maxResponseBytes: 4096 }),
    ).rejects.toThrow(/300 ms timeout|closed before the answer ended/)
    expect(Date.now() - started).toBeLessThan(2_000)
    trickle.closeAllConnections()
    trickle.close()
  })
})
