// The one contract every ArticleStore adapter must pass; adapter test files call it.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { ArticleStore } from '../../src/store/store.js'
import { fixtureArticles, makeArticle } from '../helpers/fixtures.js'

export const storeContract = (
  name: string,
  open: () => Promise<{ store: ArticleStore; cleanup: () => Promise<void> }>,
) =>
  describe(`ArticleStore contract: ${name}`, () => {
    let store: ArticleStore
    let cleanup: () => Promise<void>

    beforeEach(async () => {
      ;({ store, cleanup } = await open())
    })
    afterEach(async () => {
      await store.close()
      await cleanup()
    })

    it('stores and returns an article unchanged', async () => {
      const article = makeArticle()
      expect(await store.upsert(article)).toEqual({ created: true })
      expect(await store.get(article.id)).toEqual(article)
      expect(await store.get('missing')).toBeUndefined()
    })

    it('replaces on upsert and says it was not created', async () => {
      await store.upsert(makeArticle())
      expect(await store.upsert(makeArticle({ title: 'New title' }))).toEqual({ created: false })
      expect((await store.get('test-article'))?.title).toBe('New title')
      expect(await store.count()).toBe(1)
    })

    it('lists the newest articles of a selection in order, limited', async () => {
      await store.upsertMany(await fixtureArticles())
      const site = await store.newestFor({ kind: 'site' }, 3)
      expect(site.map((a) => a.id)).toEqual([
        'pakistan-china-space-science-centre',
        'starliner-astronauts-risk',
        'giant-tortoise-reintroduced',
      ])
      const space = await store.newestFor({ kind: 'category', slug: 'space' }, 50)
      expect(space.map((a) => a.id)).toEqual([
        'pakistan-china-space-science-centre',
        'starliner-astronauts-risk',
        'artemis-ii-launch-pad',
      ])
      const byAuthor = await store.newestFor({ kind: 'author', slug: 'tomas-herrera' }, 50)
      expect(byAuthor.map((a) => a.id)).toEqual([
        'spinosaurus-mirabilis-chicago',
        'spiked-dinosaur-china',
      ])
      expect(await store.newestFor({ kind: 'tag', slug: 'no-such-tag' }, 50)).toEqual([])
    })

    it('orders ties on publishedAt by id, descending', async () => {
      const at = '2026-01-01T00:00:00Z'
      await store.upsertMany(['b', 'c', 'a'].map((id) => makeArticle({ id, publishedAt: at })))
      expect((await store.newestFor({ kind: 'site' }, 10)).map((a) => a.id)).toEqual([
        'c',
        'b',
        'a',
      ])
    })

    it('counts facets and drops those left empty', async () => {
      await store.upsertMany(await fixtureArticles())
      const facets = await store.facets()
      expect(facets.find((f) => f.kind === 'category' && f.slug === 'climate')).toEqual({
        kind: 'category',
        slug: 'climate',
        label: 'Climate',
        count: 3,
      })
      await store.upsert(makeArticle({ id: 'only-one', categories: ['Lonely'] }))
      expect((await store.facets()).some((f) => f.slug === 'lonely')).toBe(true)
      await store.upsert(makeArticle({ id: 'only-one', categories: ['Space'] }))
      expect((await store.facets()).some((f) => f.slug === 'lonely')).toBe(false)
    })

    it('deletes, remembers the deletion per selection, and forgets it on re-creation', async () => {
      await store.upsert(makeArticle())
      const at = new Date('2026-11-22T12:00:00Z')
      expect(await store.delete('test-article', at)).toBe(true)
      expect(await store.delete('test-article', at)).toBe(false)
      expect(await store.get('test-article')).toBeUndefined()
      expect((await store.deletionsFor({ kind: 'site' }, 1))[0]?.deletedAt).toBe(at.toISOString())
      expect((await store.deletionsFor({ kind: 'category', slug: 'space' }, 1))[0]?.deletedAt).toBe(
        at.toISOString(),
      )
      expect(
        (await store.deletionsFor({ kind: 'category', slug: 'climate' }, 1))[0]?.deletedAt,
      ).toBeUndefined()
      expect((await store.facets()).length).toBe(0)
      await store.upsert(makeArticle())
      expect((await store.deletionsFor({ kind: 'site' }, 1))[0]?.deletedAt).toBeUndefined()
    })

    it('lists the latest deletions of a selection, newest first', async () => {
      await store.upsertMany(await fixtureArticles())
      await store.delete('artemis-ii-launch-pad', new Date('2026-11-21T00:00:00Z'))
      await store.delete('starliner-astronauts-risk', new Date('2026-11-22T00:00:00Z'))
      await store.delete('giant-tortoise-reintroduced', new Date('2026-11-23T00:00:00Z'))
      expect(await store.deletionsFor({ kind: 'category', slug: 'space' }, 10)).toEqual([
        { id: 'starliner-astronauts-risk', deletedAt: '2026-11-22T00:00:00.000Z' },
        { id: 'artemis-ii-launch-pad', deletedAt: '2026-11-21T00:00:00.000Z' },
      ])
      expect((await store.deletionsFor({ kind: 'site' }, 2)).map((d) => d.id)).toEqual([
        'giant-tortoise-reintroduced',
        'starliner-astronauts-risk',
      ])
    })

    it('reports the selections touched since a marker, old and new', async () => {
      await store.upsert(makeArticle({ categories: ['Space'], tags: [] }))
      const { marker } = await store.changedSince(0)
      expect((await store.changedSince(marker)).touched.size).toBe(0)
      await store.upsert(makeArticle({ categories: ['Climate'], tags: [] }))
      const changes = await store.changedSince(marker)
      expect([...changes.touched].sort()).toEqual(
        [
          'author:test-author',
          'category:climate',
          'category:space',
          'month:2026-11',
          'site',
        ].sort(),
      )
      expect(changes.marker).toBeGreaterThan(marker)
    })

    it('keeps the marker rising after the change log is forgotten', async () => {
      await store.upsert(makeArticle())
      const marker = await store.changeMarker()
      expect(marker).toBe((await store.changedSince(0)).marker)
      await store.forgetChanges(marker)
      expect(await store.changeMarker()).toBe(marker)
      expect((await store.changedSince(0)).touched.size).toBe(0)
      await store.upsert(makeArticle({ title: 'Again' }))
      const after = await store.changedSince(marker)
      expect(after.marker).toBeGreaterThan(marker)
      expect(after.touched.has('site')).toBe(true)
    })

    it('records no change when an identical article is written again', async () => {
      await store.upsert(makeArticle())
      const { marker } = await store.changedSince(0)
      await store.upsert(makeArticle())
      expect((await store.changedSince(marker)).touched.size).toBe(0)
    })

    it('writes a batch all or nothing', async () => {
      await store.upsert(makeArticle({ id: 'kept' }))
      const bad = { ...makeArticle({ id: 'second' }), publishedAt: undefined } as never
      await expect(store.upsertMany([makeArticle({ id: 'first' }), bad])).rejects.toThrow(/store/)
      expect(await store.get('first')).toBeUndefined()
      expect(await store.count()).toBe(1)
    })
    it('pages with a cursor without skipping or repeating', async () => {
      await store.upsertMany(await fixtureArticles())
      const all = (await store.newestFor({ kind: 'site' }, 100)).map((a) => a.id)
      const seen: string[] = []
      let page = await store.newestFor({ kind: 'site' }, 4)
      while (page.length > 0) {
        seen.push(...page.map((a) => a.id))
        const last = page.at(-1)!
        page = await store.newestFor({ kind: 'site' }, 4, {
          publishedAt: last.publishedAt,
          id: last.id,
        })
      }
      expect(seen).toEqual(all)
      const climate = await store.newestFor({ kind: 'category', slug: 'climate' }, 1)
      const rest = await store.newestFor({ kind: 'category', slug: 'climate' }, 10, {
        publishedAt: climate[0]!.publishedAt,
        id: climate[0]!.id,
      })
      expect(rest).toHaveLength(2)
    })

    it('keeps the newest build reports and forgets older ones', async () => {
      for (let id = 1; id <= 5; id += 1) await store.saveBuildReport(id, JSON.stringify({ id }), 3)
      expect(await store.latestBuildReport()).toEqual({ id: 5, json: '{"id":5}' })
      expect(await store.buildReport(3)).toBe('{"id":3}')
      expect(await store.buildReport(2)).toBeUndefined()
    })

    it('indexes months: counts, newest of a month, moves and deletions', async () => {
      await store.upsertMany([
        makeArticle({ id: 'oct', publishedAt: '2026-10-31T23:30:00-02:00' }),
        makeArticle({ id: 'nov-1', publishedAt: '2026-11-02T00:00:00Z' }),
        makeArticle({ id: 'nov-2', publishedAt: '2026-11-03T00:00:00Z' }),
      ])
      // 23:30 at -02:00 is 01:30 UTC on 1 November: months are UTC.
      expect(await store.months()).toEqual([{ month: '2026-11', count: 3 }])
      expect((await store.facets()).some((f) => (f.kind as string) === 'month')).toBe(false)
      const marker = await store.changeMarker()
      await store.upsert(makeArticle({ id: 'nov-1', publishedAt: '2025-01-05T00:00:00Z' }))
      expect(await store.months()).toEqual([
        { month: '2025-01', count: 1 },
        { month: '2026-11', count: 2 },
      ])
      const touched = (await store.changedSince(marker)).touched
      expect(touched.has('month:2025-01') && touched.has('month:2026-11')).toBe(true)
      const nov = await store.newestFor({ kind: 'month', slug: '2026-11' }, 10)
      expect(nov.map((a) => a.id)).toEqual(['nov-2', 'oct'])
      await store.delete('nov-2', new Date('2026-11-24T00:00:00Z'))
      expect(await store.deletionsFor({ kind: 'month', slug: '2026-11' }, 5)).toEqual([
        { id: 'nov-2', deletedAt: '2026-11-24T00:00:00.000Z' },
      ])
    })

    it('keeps WebSub subscriptions: renew, list the live ones, expire, remove', async () => {
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

    it('records the id scheme a first build proposes, and keeps it whatever is proposed later', async () => {
      const first = {
        fresh: { kind: 'tag' as const, authority: 'news.example.org', date: '2026-11-29' },
        legacy: { kind: 'url' as const, base: 'https://news.example.org' },
      }
      expect(await store.idScheme(first)).toEqual(first.fresh)
      const moved = {
        fresh: { kind: 'tag' as const, authority: 'elsewhere.example', date: '2027-01-01' },
        legacy: { kind: 'url' as const, base: 'https://elsewhere.example' },
      }
      expect(await store.idScheme(moved)).toEqual(first.fresh)
    })

    it('keeps scheduled articles and drafts aside until they are due', async () => {
      const later = new Date(Date.now() + 86_400_000).toISOString()
      const scheduled = makeArticle({ id: 'scheduled', publishedAt: later, tags: ['Later'] })
      const draft = makeArticle({ id: 'draft', status: 'draft', tags: ['Drafts'] })
      const marker = await store.changeMarker()
      expect(await store.upsert(scheduled)).toEqual({ created: true })
      await store.upsertMany([draft, makeArticle({ id: 'live' })])
      expect(await store.get('scheduled')).toEqual(scheduled)
      expect(await store.get('draft')).toEqual(draft)
      expect((await store.newestFor({ kind: 'site' }, 10)).map((a) => a.id)).toEqual(['live'])
      expect((await store.facets()).map((f) => f.slug)).not.toContain('later')
      expect((await store.facets()).map((f) => f.slug)).not.toContain('drafts')
      expect(await store.months()).toEqual([{ month: '2026-11', count: 1 }])
      // Every article held, so that a store of drafts is never seeded with the fixtures.
      expect(await store.count()).toBe(3)
      expect(await store.nextDue()).toBe(scheduled.publishedAt)
      expect((await store.keptAside(10)).map((a) => a.id)).toEqual(['scheduled', 'draft'])
      expect(await store.releaseDue(new Date())).toBe(0)
      expect(await store.releaseDue(new Date(Date.parse(later) + 1000))).toBe(1)
      expect((await store.newestFor({ kind: 'tag', slug: 'later' }, 10)).map((a) => a.id)).toEqual([
        'scheduled',
      ])
      expect((await store.changedSince(marker)).touched).toContain('tag:later')
      expect(await store.nextDue()).toBeUndefined()
      expect((await store.keptAside(10)).map((a) => a.id)).toEqual(['draft'])
      expect(await store.upsert(scheduled)).toEqual({ created: false })
    })

    it('takes a live article made a draft out as a deletion; a draft deleted just goes', async () => {
      await store.upsert(makeArticle())
      expect(await store.upsert(makeArticle({ status: 'draft' }))).toEqual({ created: false })
      expect(await store.newestFor({ kind: 'site' }, 10)).toEqual([])
      expect((await store.deletionsFor({ kind: 'site' }, 10)).map((d) => d.id)).toEqual([
        'test-article',
      ])
      expect((await store.get('test-article'))?.status).toBe('draft')
      expect(await store.delete('test-article', new Date())).toBe(true)
      expect(await store.get('test-article')).toBeUndefined()
      expect(await store.delete('test-article', new Date())).toBe(false)
    })
  })
