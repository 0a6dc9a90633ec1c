// Requests the hub makes to other servers (subscribers' callbacks, an external hub): a time limit,
// a cap on how much of the answer is read, no redirects, and, through an address guard, no
// connection to an address that is not public unless allowed.
import { request as httpRequest, type IncomingMessage } from 'node:http'
import { request as httpsRequest } from 'node:https'
import { isIP } from 'node:net'
import { type AddressGuard, AddressRefusedError } from './addresses.js'

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

const readCapped = (response: IncomingMessage, maxBytes: number): Promise<string> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    let settled = false
    const done = () => {
      settled = true
      response.destroy()
      resolve(Buffer.concat(chunks).subarray(0, maxBytes).toString('utf8'))
    }
    response.on('data', (chunk: Buffer) => {
      chunks.push(chunk)
      size += chunk.byteLength
      if (size >= maxBytes) done()
    })
    response.on('end', done)
    response.on('error', reject)
    // A body cut off (the timeout, a dropped connection) must not leave the request waiting.
    response.on('close', () => {
      if (!settled)
        reject(new Error('websub/outbound: the connection closed before the answer ended'))
    })
  })

/**
 * Sends one request; throws on a network error, a refused address or the timeout. Redirects are
 * answers, not followed: a callback must answer at its own URL, and following them would let it
 * point the hub anywhere. With a guard, the connection resolves names through the guard's
 * `lookup`, so the address checked is the address connected to.
 */
export const send = async (
  url: string,
  init: { method: 'GET' | 'POST'; headers?: Record<string, string>; body?: Uint8Array | string },
  limits: OutboundLimits,
  guard?: AddressGuard,
): Promise<OutboundResponse> => {
  const target = new URL(url)
  // An address literal is connected to without a lookup: check it here.
  const literal = isIP(target.hostname.replace(/^\[|\]$/g, '')) !== 0
  const refusal = guard && literal && (await guard.refusal(target.hostname))
  if (refusal) throw new AddressRefusedError(`websub/addresses: refused to connect: ${refusal}`)
  const body = typeof init.body === 'string' ? Buffer.from(init.body) : init.body
  const signal = AbortSignal.timeout(limits.timeoutMs)
  const request = target.protocol === 'https:' ? httpsRequest : httpRequest
  try {
    return await new Promise<OutboundResponse>((resolve, reject) => {
      const outgoing = request(
        target,
        {
          method: init.method,
          headers: {
            'User-Agent': 'feedwright-websub',
            ...init.headers,
            ...(body && { 'Content-Length': String(body.byteLength) }),
          },
          signal,
          ...(guard && { lookup: guard.lookup }),
        },
        (response) =>
          readCapped(response, limits.maxResponseBytes).then(
            (text) => resolve({ status: response.statusCode ?? 0, body: text }),
            reject,
          ),
      )
      outgoing.on('error', reject)
      outgoing.end(body)
    })
  } catch (error) {
    if (signal.aborted) {
      throw new Error(`websub/outbound: no answer within the ${limits.timeoutMs} ms timeout`, {
        cause: error,
      })
    }
    throw error
  }
}

/** A tiny semaphore: at most `limit` tasks running; the others wait in order. */
export const limiter = (limit: number) => {
  let active = 0
  const queue: Array<() => void> = []
  const run = async <T>(task: () => Promise<T>): Promise<T> => {
    if (active >= limit) await new Promise<void>((resolve) => queue.push(resolve))
    active += 1
    try {
      return await task()
    } finally {
      active -= 1
      queue.shift()?.()
    }
  }
  return Object.assign(run, { busy: () => active + queue.length })
}

/** Runs `task` once a slot for `key` is free. */
export type KeyedLimiter = <T>(key: string, task: () => Promise<T>) => Promise<T>

/**
 * A semaphore per key (a callback host): at most `limit` tasks of one key at a time, each also
 * inside `shared`. A task waits for its key's slot before it takes a shared one, so a key with a
 * long queue holds at most `limit` shared slots and delays only itself.
 */
export const keyedLimiter = (limit: number, shared: ReturnType<typeof limiter>): KeyedLimiter => {
  const byKey = new Map<string, ReturnType<typeof limiter>>()
  return async <T>(key: string, task: () => Promise<T>): Promise<T> => {
    let own = byKey.get(key)
    if (!own) byKey.set(key, (own = limiter(limit)))
    try {
      return await own(() => shared(task))
    } finally {
      if (own.busy() === 0) byKey.delete(key)
    }
  }
}
