// WebSub subscriptions in the SQLite store.
import type Database from 'better-sqlite3'
import type { Guard } from './sqlite-connect.js'
import type { SubscriptionStore } from './subscriptions.js'
import { type SubscriptionRow, toSubscription } from './subscription-rows.js'

const COLUMNS = `topic, callback, secret, lease_seconds AS leaseSeconds, expires_at AS expiresAt,
  delivered_etag AS deliveredEtag`

/** The subscriptions table of an open, migrated database; `guard` wraps errors like the store's. */
export const sqliteSubscriptions = (db: Database.Database, guard: Guard): SubscriptionStore => {
  const q = {
    put: db.prepare(
      `INSERT INTO subscriptions (topic, callback, secret, lease_seconds, expires_at)
       VALUES (@topic, @callback, @secret, @leaseSeconds, @expiresAt)
       ON CONFLICT (topic, callback) DO UPDATE SET secret = excluded.secret,
         lease_seconds = excluded.lease_seconds, expires_at = excluded.expires_at`,
    ),
    remove: db.prepare('DELETE FROM subscriptions WHERE topic = ? AND callback = ?'),
    delivered: db.prepare(
      'UPDATE subscriptions SET delivered_etag = ? WHERE topic = ? AND callback = ?',
    ),
    live: db.prepare<[string, string], SubscriptionRow>(
      `SELECT ${COLUMNS} FROM subscriptions WHERE topic = ? AND expires_at > ? ORDER BY callback`,
    ),
    expired: db.prepare<[string], SubscriptionRow>(
      `DELETE FROM subscriptions WHERE expires_at <= ? RETURNING ${COLUMNS}`,
    ),
  }
  return {
    put: (s) =>
      guard('subscriptions.put', () => void q.put.run({ ...s, secret: s.secret ?? null })),
    markDelivered: (topic, callback, etag) =>
      guard('subscriptions.markDelivered', () => void q.delivered.run(etag, topic, callback)),
    remove: (topic, callback) =>
      guard('subscriptions.remove', () => q.remove.run(topic, callback).changes > 0),
    live: (topic, now) =>
      guard('subscriptions.live', () => q.live.all(topic, now).map(toSubscription)),
    expire: (now) => guard('subscriptions.expire', () => q.expired.all(now).map(toSubscription)),
  }
}
