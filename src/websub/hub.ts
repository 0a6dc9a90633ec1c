// feedwright's own WebSub hub (W3C WebSub §5–§7): subscriptions verified with the subscriber,
// leases that end, and each new version of a feed delivered to its subscribers, signed and retried.
import type { SubscriptionStore } from '../store/store.js'
import { createAddressGuard, type Resolver } from './addresses.js'
import { createDeliverer } from './delivery.js'
import type { FeedVersion, HubEvent, HubLog, HubSettings } from './hub-settings.js'
import { keyedLimiter, limiter } from './outbound.js'
import { createVerifier } from './verification.js'

export interface HubOptions {
  subscriptions: SubscriptionStore
  /** The feed published at a topic URL, if there is one (and it is one that is subscribed to). */
  feedAt: (topic: string) => FeedVersion | undefined
  /** The topic URL of a published feed. */
  topicOf: (output: Pick<FeedVersion, 'urlPath'>) => string
  hubUrl: string
  settings: HubSettings
  /** Callbacks on loopback or private networks are refused unless allowed (tests, intranets). */
  allowPrivateCallbacks?: boolean
  /** Resolves callback host names (the system's DNS; tests answer without it). */
  resolve?: Resolver
  now?: () => Date
  log: HubLog
  /** Told of each verification, delivery attempt and expiry (metrics). */
  onEvent?: (event: HubEvent) => void
}

export interface Hub {
  /** Validates a subscription request (400 naming the parameter); verification then runs apart. */
  request(form: URLSearchParams): Promise<void>
  /** Delivers each changed feed to the live subscribers of its URL, in the background. */
  distribute(outputs: readonly FeedVersion[]): Promise<void>
  /** Drops the subscriptions whose lease has ended; returns how many. */
  expireLeases(): Promise<number>
  /** Resolves when no verification or delivery is pending or waiting to be retried. */
  idle(): Promise<void>
  close(): void
}

// The answer of a callback is read no further than this: a challenge is short, a delivery's
// answer is ignored.
const MAX_RESPONSE_BYTES = 4096

export const createHub = (options: HubOptions): Hub => {
  const { subscriptions, settings, log } = options
  const onEvent = options.onEvent ?? (() => {})
  const now = options.now ?? (() => new Date())
  const shared = {
    subscriptions,
    settings,
    log,
    onEvent,
    now,
    limits: { timeoutMs: settings.timeoutMs, maxResponseBytes: MAX_RESPONSE_BYTES },
    guard: createAddressGuard({
      allowPrivate: options.allowPrivateCallbacks ?? false,
      ...(options.resolve && { resolve: options.resolve }),
    }),
  }
  // Two queues, so that deliveries never starve verifications nor the reverse; within each, a
  // callback host gets only a few slots, so that a slow or hostile host only slows itself.
  const perHost = settings.hostConcurrency ?? 2
  const verifier = createVerifier({
    ...shared,
    feedAt: options.feedAt,
    slot: keyedLimiter(perHost, limiter(settings.verifyConcurrency ?? 16)),
  })
  const deliverer = createDeliverer({
    ...shared,
    topicOf: options.topicOf,
    hubUrl: options.hubUrl,
    slot: keyedLimiter(perHost, limiter(settings.deliveryConcurrency ?? 32)),
  })
  return {
    request: verifier.request,
    distribute: deliverer.distribute,
    expireLeases: async () => {
      const expired = (await subscriptions.expire(now().toISOString())).length
      for (let i = 0; i < expired; i += 1) onEvent('expired')
      return expired
    },
    idle: async () => {
      await verifier.idle()
      await deliverer.idle()
    },
    close: deliverer.close,
  }
}
