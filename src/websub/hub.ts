// feedwright's own WebSub hub (W3C WebSub §5–§7): subscriptions verified with the subscriber,
// leases that end, and each new version of a feed delivered to its subscribers, signed and retried.
import { createHmac, randomBytes } from 'node:crypto'
import { ValidationError } from '../lib/errors.js'
import { isFeed, type PublishedOutput } from '../publish/outputs.js'
import type { Subscription, SubscriptionStore } from '../store/store.js'
import { limiter, reachesPrivateNetwork, send } from './outbound.js'
import { type HubRequest, parseHubRequest } from './requests.js'
import { createRetrier } from './retries.js'

export interface HubSettings {
  defaultLeaseSeconds: number
  minLeaseSeconds: number
  maxLeaseSeconds: number
  attempts: number
  retryBaseMs: number
  timeoutMs: number
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
  /** Requests sent at once, at most. */
  concurrency?: number
  now?: () => Date
  log: { info(message: string): void; error(message: string, error?: unknown): void }
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
  const now = options.now ?? (() => new Date())
  const limits = { timeoutMs: settings.timeoutMs, maxResponseBytes: MAX_RESPONSE_BYTES }
  const inFlight = limiter(options.concurrency ?? 32)
  const retrier = createRetrier({
    attempts: settings.attempts,
    baseMs: settings.retryBaseMs,
    onGiveUp: (what, reason) => log.error(`websub: gave up ${what}: ${reason}`),
  })
  const verifications = new Set<Promise<void>>()
  // The newest version of a topic owed to each callback; an older one still being retried stops.
  const owed = new Map<string, PublishedOutput>()

  const refusesCallback = async (callback: string): Promise<boolean> =>
    !options.allowPrivateCallbacks && (await reachesPrivateNetwork(new URL(callback)))

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
      const answer = await inFlight(() => send(url.href, { method: 'GET' }, limits))
      if (answer.status < 200 || answer.status > 299 || answer.body !== challenge) {
        log.info(`websub: ${what} not confirmed (HTTP ${answer.status})`)
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
    } catch (error) {
      log.info(`websub: ${what} not confirmed (${error instanceof Error ? error.message : error})`)
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
    if (await refusesCallback(request.callback)) {
      throw refuse('hub.callback', 'must be reachable on the public internet')
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
    if (await refusesCallback(subscription.callback)) return
    const answer = await inFlight(() =>
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
      ),
    )
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
      const task = verify(request).finally(() => verifications.delete(task))
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
            deliver(subscription, output, attempt),
          )
        }
      }
    },
    expireLeases: async () => (await subscriptions.expire(now().toISOString())).length,
    idle: async () => {
      while (verifications.size > 0) await Promise.all([...verifications])
      await retrier.idle()
    },
    close: () => retrier.close(),
  }
}
