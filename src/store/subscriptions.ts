// The subscriptions contract: WebSub subscribers of the feeds, kept by the built-in hub.

/** A WebSub subscriber of one topic (feed URL), confirmed by intent verification. */
export interface Subscription {
  topic: string
  callback: string
  /** HMAC key for X-Hub-Signature, as the subscriber gave it. */
  secret?: string
  leaseSeconds: number
  /** ISO instant after which the subscription is dropped unless renewed. */
  expiresAt: string
  /** ETag of the version last delivered, so a restart's rebuild does not deliver it again. */
  deliveredEtag?: string
}

export interface SubscriptionStore {
  /** Inserts or renews the subscription of (topic, callback); what was delivered is kept. */
  put(subscription: Omit<Subscription, 'deliveredEtag'>): Promise<void>
  markDelivered(topic: string, callback: string, etag: string): Promise<void>
  remove(topic: string, callback: string): Promise<boolean>
  /** Subscriptions of the topic whose lease runs past `now` (ISO). */
  live(topic: string, now: string): Promise<Subscription[]>
  /** Deletes the subscriptions whose lease ended at or before `now`, and returns them. */
  expire(now: string): Promise<Subscription[]>
}
