// The built-in hub's settings and what it reports: the types its parts (hub, verification,
// delivery) share, apart so that none of them imports another's file for a type.
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
