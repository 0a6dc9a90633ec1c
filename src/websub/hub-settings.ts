// The built-in hub's settings and what it reports: the types its parts (hub, verification,
// delivery) share, apart so that none of them imports another's file for a type.
import type { RenderedOutput } from '../publish/outputs.js'
import type { SubscriptionStore } from '../store/store.js'
import type { AddressGuard } from './addresses.js'
import type { KeyedLimiter, OutboundLimits } from './outbound.js'

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

/**
 * A version of a feed the hub delivers: its bytes in memory (an output the service holds), or read
 * when a delivery needs them (an output on the shelf, whose file holds the bytes), so that no
 * delivery keeps them longer than its request; `read` gives nothing when that version is no
 * longer the one there (replaced or taken down: a newer version, if any, is delivered on its own).
 */
export type FeedVersion = Pick<RenderedOutput, 'urlPath' | 'format' | 'contentType' | 'etag'> &
  ({ body: Uint8Array<ArrayBuffer> } | { read: () => Promise<Uint8Array<ArrayBuffer> | undefined> })

/** The bytes of a feed version, or nothing when that version is gone. */
export const bytesOf = (version: FeedVersion): Promise<Uint8Array<ArrayBuffer> | undefined> =>
  'body' in version ? Promise.resolve(version.body) : version.read()

/** What the hub tells of each verification, delivery attempt and expiry (metrics). */
export type HubEvent =
  | 'subscribed'
  | 'unsubscribed'
  | 'verification-failed'
  | 'expired'
  | 'delivered'
  | 'delivery-failed'

export interface HubLog {
  info(message: string): void
  error(message: string, error?: unknown): void
}

/** What each part of the hub (verification, delivery) is given by the hub that composes them. */
export interface HubPartContext {
  subscriptions: SubscriptionStore
  settings: HubSettings
  guard: AddressGuard
  limits: OutboundLimits
  /** Requests in flight to subscribers, per callback host inside a shared cap (one per part). */
  slot: KeyedLimiter
  now: () => Date
  log: HubLog
  onEvent: (event: HubEvent) => void
}
