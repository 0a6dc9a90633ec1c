// feedwright's own WebSub hub (W3C WebSub §5–§7): subscriptions verified with the subscriber,
// leases that end, and each new version of a feed delivered to its subscribers, signed and retried.
import { createHmac, randomBytes } from 'node:crypto'
import { OverloadedError, TooManyRequestsError, ValidationError } from '../lib/errors.js'
import { isFeed, type PublishedOutput } from '../publish/outputs.js'
import type { Subscription, SubscriptionStore } from '../store/store.js'
import { AddressRefusedError, createAddressGuard, type Resolver } from './addresses.js'
import { keyedLimiter, limiter, send } from './outbound.js'
import { type HubRequest, parseHubRequest } from './requests.js'
import { createRetrier } from './retries.js'

export interface HubSettings {
  defaultLeaseSeconds: number
  minLeaseSeconds: number
  maxLeaseSeconds: number
  attempts: number
  retryBaseMs: number
  timeoutMs: number
  /** Verifications, and deliveries, in flight at once over every host (separate queues). */
  verifyConcurrency?: number
  deliveryConcurrency?: number
  /** Requests in flight to one callback host at once, in each queue. */
  hostConcurrency?: number
  /** Verifications waiting or running: in all (then 503), per callback host or topic (429). */
  maxPendingVerifications?: number
  maxPendingPerHost?: number
  maxPendingPerTopic?: number
}

export interface HubOptions {
  subscriptions: SubscriptionStore
  /** The feed published at a topic URL, if there is one. */
  feedAt: (topic: string) => PublishedOutput | undefined
  /** The topic URL of a published feed. */
  topicOf: (output: PublishedOutput) => string
  hubUrl: string
  settings: HubSettings
  /** Callbacks on loopback or private networks are refused unless allowed (tests, intranets). */
  allowPrivateCallbacks?: boolean
  /** Resolves callback host names (the system's DNS; tests answer without it). */
  resolve?: Resolver
  now?: () => Date
  log: { info(message: string): void; error(message: string, error?: unknown): void }
  /** Told of each verification, delivery attempt and expiry (metrics). */
  onEvent?: (
    event:
      | 'subscribed'
      | 'unsubscribed'
      | 'verification-failed'
      | 'expired'
      | 'delivered'
      | 'delivery-failed',
  ) => void
}

export interface Hub {
  /** Validates a subscription request (400 naming the parameter); verification then runs apart. */
  request(form: URLSearchParams): Promise<void>
  /** Delivers each changed feed to the live subscribers of its URL, in the background. */
  distribute(outputs: readonly PublishedOutput[]): Promise<void>
  /** Drops the subscriptions whose lease has ended; returns how many. */
  expireLeases(): Promise<number>
  /** Resolves when no verification or delivery is pending or waiting to be retried. */
  idle(): Promise<void>
  close(): void
}

/** A valid request with the lease the hub grants. */
type LeasedRequest = HubRequest & { leaseSeconds: number }

// The answer of a callback is read no further than this: a challenge is short, a delivery's
// answer is ignored.
const MAX_RESPONSE_BYTES = 4096

const signature = (secret: string, body: Uint8Array): string =>
  `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`

export const createHub = (options: HubOptions): Hub => {
  const { subscriptions, settings, log, hubUrl } = options
  const onEvent = options.onEvent ?? (() => {})
  const now = options.now ?? (() => new Date())
  const limits = { timeoutMs: settings.timeoutMs, maxResponseBytes: MAX_RESPONSE_BYTES }
  const guard = createAddressGuard({
    allowPrivate: options.allowPrivateCallbacks ?? false,
    ...(options.resolve && { resolve: options.resolve }),
  })
  // Two queues, so that deliveries never starve verifications nor the reverse; within each, a
  // callback host gets only a few slots, so that a slow or hostile host only slows itself.
  const perHost = settings.hostConcurrency ?? 2
  const verifySlot = keyedLimiter(perHost, limiter(settings.verifyConcurrency ?? 16))
  const deliverySlot = keyedLimiter(perHost, limiter(settings.deliveryConcurrency ?? 32))
  const pending = createPendingCounts()
  const retryAfterSeconds = Math.ceil(settings.timeoutMs / 1000)
  const retrier = createRetrier({
    attempts: settings.attempts,
    baseMs: settings.retryBaseMs,
    onGiveUp: (what, reason) => log.error(`websub: gave up ${what}: ${reason}`),
  })
  const verifications = new Set<Promise<void>>()
  // The newest version of a topic owed to each callback; an older one still being retried stops.
  const owed = new Map<string, PublishedOutput>()

  /** WebSub §5.3: the subscriber must echo a random challenge sent to its callback. */
  const verify = async (request: LeasedRequest): Promise<void> => {
    const challenge = randomBytes(16).toString('hex')
    const url = new URL(request.callback)
    url.searchParams.append('hub.mode', request.mode)
    url.searchParams.append('hub.topic', request.topic)
    url.searchParams.append('hub.challenge', challenge)
    if (request.mode === 'subscribe') {
      url.searchParams.append('hub.lease_seconds', String(request.leaseSeconds))
    }
    const what = `${request.mode} ${request.callback} to ${request.topic}`
    try {
      const answer = await verifySlot(url.hostname, () =>
        send(url.href, { method: 'GET' }, limits, guard),
      )
      if (answer.status < 200 || answer.status > 299 || answer.body !== challenge) {
        log.info(`websub: ${what} not confirmed (HTTP ${answer.status})`)
        onEvent('verification-failed')
        return
      }
      if (request.mode === 'unsubscribe') {
        await subscriptions.remove(request.topic, request.callback)
      } else {
        const expiresAt = new Date(now().getTime() + request.leaseSeconds * 1000).toISOString()
        await subscriptions.put({
          topic: request.topic,
          callback: request.callback,
          ...(request.secret !== undefined && { secret: request.secret }),
          leaseSeconds: request.leaseSeconds,
          expiresAt,
        })
      }
      log.info(`websub: ${what} confirmed`)
      onEvent(request.mode === 'subscribe' ? 'subscribed' : 'unsubscribed')
    } catch (error) {
      log.info(`websub: ${what} not confirmed (${error instanceof Error ? error.message : error})`)
      onEvent('verification-failed')
    }
  }

  const parseRequest = async (form: URLSearchParams): Promise<LeasedRequest> => {
    const parsed = parseHubRequest(form)
    if ('issues' in parsed) throw new ValidationError('websub: invalid hub request', parsed.issues)
    const { request } = parsed
    const refuse = (path: string, message: string) =>
      new ValidationError(`websub: ${path} ${message}`, [{ path, message }])
    // Unsubscribing from a feed that has since been taken down must still work.
    if (request.mode === 'subscribe' && !options.feedAt(request.topic)) {
      throw refuse('hub.topic', `is not a feed published here: ${request.topic}`)
    }
    // Checked again on the address each request connects to (the guard's lookup).
    const refusal = await guard.refusal(new URL(request.callback).hostname)
    if (refusal) {
      throw refuse('hub.callback', `must be reachable on the public internet (${refusal})`)
    }
    const asked = request.leaseSeconds ?? settings.defaultLeaseSeconds
    // WebSub §5.1: the hub decides the lease; it tells the subscriber in the verification.
    const leaseSeconds = Math.min(
      settings.maxLeaseSeconds,
      Math.max(settings.minLeaseSeconds, asked),
    )
    return { ...request, leaseSeconds }
  }

  /** One delivery attempt of `output` to `subscription`. */
  const deliver = async (
    subscription: Subscription,
    output: PublishedOutput,
    attempt: number,
  ): Promise<void> => {
    const key = `${subscription.topic}\n${subscription.callback}`
    if (owed.get(key) !== output) return // a newer version replaced this one
    if (attempt > 1) {
      const live = await subscriptions.live(subscription.topic, now().toISOString())
      if (!live.some((s) => s.callback === subscription.callback)) return
    }
    const answer = await deliverySlot(new URL(subscription.callback).hostname, () =>
      send(
        subscription.callback,
        {
          method: 'POST',
          headers: {
            'Content-Type': output.contentType,
            Link: `<${hubUrl}>; rel="hub", <${subscription.topic}>; rel="self"`,
            ...(subscription.secret && {
              'X-Hub-Signature': signature(subscription.secret, output.body),
            }),
          },
          body: output.body,
        },
        limits,
        guard,
      ).catch((error: unknown) => {
        // An address that is not allowed stays so: no use retrying.
        if (!(error instanceof AddressRefusedError)) throw error
        log.info(`websub: not delivering ${subscription.topic}: ${error.message}`)
        return undefined
      }),
    )
    if (!answer) return
    // WebSub §7: 410 Gone ends the subscription; any other non-2xx answer is retried.
    if (answer.status === 410) {
      await subscriptions.remove(subscription.topic, subscription.callback)
    } else if (answer.status < 200 || answer.status > 299) {
      throw new Error(`the callback answered HTTP ${answer.status}`)
    }
    if (owed.get(key) === output) owed.delete(key)
    await subscriptions.markDelivered(subscription.topic, subscription.callback, output.etag)
  }

  return {
    request: async (form) => {
      const request = await parseRequest(form)
      const host = new URL(request.callback).hostname
      const key = `${request.mode}\n${request.topic}\n${request.callback}`
      // The same request again while it is being verified: that verification answers it.
      if (pending.has(key)) return
      if (pending.total() >= (settings.maxPendingVerifications ?? 1_000)) {
        throw new OverloadedError(
          'websub: too many subscription requests are being verified; try again later',
          retryAfterSeconds,
        )
      }
      if (pending.of(`host:${host}`) >= (settings.maxPendingPerHost ?? 20)) {
        throw new TooManyRequestsError(
          `websub: too many subscription requests for callbacks on ${host} are being verified`,
          retryAfterSeconds,
        )
      }
      if (pending.of(`topic:${request.topic}`) >= (settings.maxPendingPerTopic ?? 200)) {
        throw new TooManyRequestsError(
          `websub: too many subscription requests for ${request.topic} are being verified`,
          retryAfterSeconds,
        )
      }
      const release = pending.add(key, [`host:${host}`, `topic:${request.topic}`])
      const task = verify(request).finally(() => {
        release()
        verifications.delete(task)
      })
      verifications.add(task)
    },
    distribute: async (outputs) => {
      const at = now().toISOString()
      for (const output of outputs) {
        if (!isFeed(output.format)) continue
        const topic = options.topicOf(output)
        for (const subscription of await subscriptions.live(topic, at)) {
          if (subscription.deliveredEtag === output.etag) continue
          owed.set(`${topic}\n${subscription.callback}`, output)
          retrier.run(`delivering ${topic} to ${subscription.callback}`, (attempt) =>
            deliver(subscription, output, attempt).then(
              () => onEvent('delivered'),
              (error: unknown) => {
                onEvent('delivery-failed')
                throw error
              },
            ),
          )
        }
      }
    },
    expireLeases: async () => {
      const expired = (await subscriptions.expire(now().toISOString())).length
      for (let i = 0; i < expired; i += 1) onEvent('expired')
      return expired
    },
    idle: async () => {
      while (verifications.size > 0) await Promise.all([...verifications])
      await retrier.idle()
    },
    close: () => retrier.close(),
  }
}

/** Verifications pending: by request (to drop repeats), and counted per host and per topic. */
const createPendingCounts = () => {
  const keys = new Set<string>()
  const counts = new Map<string, number>()
  const bump = (group: string, by: number) => {
    const n = (counts.get(group) ?? 0) + by
    if (n > 0) counts.set(group, n)
    else counts.delete(group)
  }
  return {
    has: (key: string) => keys.has(key),
    total: () => keys.size,
    of: (group: string) => counts.get(group) ?? 0,
    /** Counts a pending request in its groups; returns what uncounts it. */
    add: (key: string, groups: readonly string[]) => {
      keys.add(key)
      groups.forEach((g) => bump(g, 1))
      return () => {
        keys.delete(key)
        groups.forEach((g) => bump(g, -1))
      }
    },
  }
}
