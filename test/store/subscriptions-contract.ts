// The subscriptions contract (store/subscriptions.ts) every adapter must pass; adapter test files
// call it.
import { describe, expect, it } from 'vitest'
import { type OpenStore, useStore } from './open-store.js'

export const subscriptionsContract = (name: string, open: OpenStore) =>
  describe(`SubscriptionStore contract: ${name}`, () => {
    const current = useStore(open)

    it('keeps WebSub subscriptions: renew, list the live ones, expire, remove', async () => {
      const store = current()
      const subs = store.subscriptions
      const base = { topic: 'https://x.test/feeds/atom.xml', leaseSeconds: 60 }
      await subs.put({ ...base, callback: 'http://a.test/cb', expiresAt: '2026-11-25T10:00:00Z' })
      await subs.put({
        ...base,
        callback: 'http://b.test/cb',
        secret: 's3cret',
        expiresAt: '2026-11-25T09:00:00Z',
      })
      await subs.put({ ...base, callback: 'http://a.test/cb', expiresAt: '2026-11-25T11:00:00Z' })
      expect(await subs.live(base.topic, '2026-11-25T08:00:00Z')).toEqual([
        { ...base, callback: 'http://a.test/cb', expiresAt: '2026-11-25T11:00:00Z' },
        {
          ...base,
          callback: 'http://b.test/cb',
          secret: 's3cret',
          expiresAt: '2026-11-25T09:00:00Z',
        },
      ])
      expect(await subs.live(base.topic, '2026-11-25T09:30:00Z')).toHaveLength(1)
      await subs.markDelivered(base.topic, 'http://a.test/cb', '"etag-1"')
      await subs.put({ ...base, callback: 'http://a.test/cb', expiresAt: '2026-11-25T12:00:00Z' })
      const [renewed] = await subs.live(base.topic, '2026-11-25T09:30:00Z')
      expect(renewed).toMatchObject({
        deliveredEtag: '"etag-1"',
        expiresAt: '2026-11-25T12:00:00Z',
      })
      expect(await subs.live('https://x.test/other', '2026-11-25T08:00:00Z')).toEqual([])
      const expired = await subs.expire('2026-11-25T09:00:00Z')
      expect(expired.map((s) => s.callback)).toEqual(['http://b.test/cb'])
      expect(await subs.expire('2026-11-25T09:00:00Z')).toEqual([])
      expect(await subs.remove(base.topic, 'http://a.test/cb')).toBe(true)
      expect(await subs.remove(base.topic, 'http://a.test/cb')).toBe(false)
      expect(await subs.live(base.topic, '2026-11-25T08:00:00Z')).toEqual([])
    })
  })
