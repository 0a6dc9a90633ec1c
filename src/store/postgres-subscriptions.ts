// WebSub subscriptions in the PostgreSQL store, shared by every instance.
import type { Query } from './postgres-connect.js'
import { type SubscriptionRow, toSubscription } from './subscription-rows.js'
import type { SubscriptionStore } from './subscriptions.js'

const COLUMNS = `topic, callback, secret, lease_seconds AS "leaseSeconds",
  expires_at AS "expiresAt", delivered_etag AS "deliveredEtag"`

export const postgresSubscriptions = (query: Query): SubscriptionStore => ({
  put: async (s) =>
    void (await query(
      'subscriptions.put',
      `INSERT INTO subscriptions (topic, callback, secret, lease_seconds, expires_at)
       VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (topic, callback) DO UPDATE SET secret = EXCLUDED.secret,
         lease_seconds = EXCLUDED.lease_seconds, expires_at = EXCLUDED.expires_at`,
      [s.topic, s.callback, s.secret ?? null, s.leaseSeconds, s.expiresAt],
    )),
  markDelivered: async (topic, callback, etag) =>
    void (await query(
      'subscriptions.markDelivered',
      'UPDATE subscriptions SET delivered_etag = $1 WHERE topic = $2 AND callback = $3',
      [etag, topic, callback],
    )),
  remove: async (topic, callback) =>
    (
      await query<{ topic: string }>(
        'subscriptions.remove',
        'DELETE FROM subscriptions WHERE topic = $1 AND callback = $2 RETURNING topic',
        [topic, callback],
      )
    ).length > 0,
  live: async (topic, now) =>
    (
      await query<SubscriptionRow>(
        'subscriptions.live',
        `SELECT ${COLUMNS} FROM subscriptions WHERE topic = $1 AND expires_at > $2
         ORDER BY callback`,
        [topic, now],
      )
    ).map(toSubscription),
  expire: async (now) =>
    (
      await query<SubscriptionRow>(
        'subscriptions.expire',
        `DELETE FROM subscriptions WHERE expires_at <= $1 RETURNING ${COLUMNS}`,
        [now],
      )
    ).map(toSubscription),
})
