// Requests the hub makes to other servers (subscribers' callbacks, an external hub): a time limit,
// a cap on how much of the answer is read, no redirects, and no private addresses unless allowed.
import { lookup } from 'node:dns/promises'
import { BlockList, isIP } from 'node:net'

export interface OutboundLimits {
  timeoutMs: number
  /** Bytes of the response body read at most; the rest is discarded. */
  maxResponseBytes: number
}

export interface OutboundResponse {
  status: number
  /** The body's first `maxResponseBytes` bytes, as text. */
  body: string
}

/**
 * Sends one request; throws on a network error or timeout. Redirects are answers, not followed: a
 * callback must answer at its own URL, and following them would let it point the hub anywhere.
 */
export const send = async (
  url: string,
  init: { method: 'GET' | 'POST'; headers?: Record<string, string>; body?: Uint8Array | string },
  limits: OutboundLimits,
): Promise<OutboundResponse> => {
  const response = await fetch(url, {
    method: init.method,
    ...(init.headers && { headers: init.headers }),
    ...(init.body !== undefined && { body: init.body }),
    redirect: 'manual',
    signal: AbortSignal.timeout(limits.timeoutMs),
  })
  return { status: response.status, body: await readCapped(response, limits.maxResponseBytes) }
}

const readCapped = async (response: Response, maxBytes: number): Promise<string> => {
  if (!response.body) return ''
  const reader = response.body.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  try {
    while (size < maxBytes) {
      const { done, value } = await reader.read()
      if (done) break
      chunks.push(value)
      size += value.byteLength
    }
  } finally {
    await reader.cancel().catch(() => undefined)
  }
  return Buffer.concat(chunks).subarray(0, maxBytes).toString('utf8')
}

// Loopback, private (RFC 1918, RFC 4193), link-local, carrier-grade NAT and unspecified ranges.
const PRIVATE = new BlockList()
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
] as const)
  PRIVATE.addSubnet(net, prefix, 'ipv4')
for (const [net, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
] as const)
  PRIVATE.addSubnet(net, prefix, 'ipv6')

const isPrivateAddress = (address: string): boolean => {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1]
  if (mapped) return PRIVATE.check(mapped, 'ipv4')
  return PRIVATE.check(address, isIP(address) === 6 ? 'ipv6' : 'ipv4')
}

/**
 * Whether a URL's host is on this machine's or a private network, so that the hub is not a way to
 * reach servers the public cannot. Names are resolved; a name that does not resolve is refused.
 */
export const reachesPrivateNetwork = async (url: URL): Promise<boolean> => {
  const host = url.hostname.replace(/^\[|\]$/g, '')
  try {
    const addresses = isIP(host) ? [{ address: host }] : await lookup(host, { all: true })
    return addresses.some((a) => isPrivateAddress(a.address))
  } catch {
    return true
  }
}

/** A tiny semaphore: at most `limit` requests in flight. */
export const limiter = (limit: number) => {
  let active = 0
  const queue: Array<() => void> = []
  return async <T>(task: () => Promise<T>): Promise<T> => {
    if (active >= limit) await new Promise<void>((resolve) => queue.push(resolve))
    active += 1
    try {
      return await task()
    } finally {
      active -= 1
      queue.shift()?.()
    }
  }
}
