// The articles contract (store/articles.ts) every adapter must pass; adapter test files call it.
import { describe, expect, it } from 'vitest'
import { fixtureArticles, makeArticle } from '../helpers/fixtures.js'
import { type OpenStore, useStore } from './open-store.js'

export const articlesContract = (name: string, open: OpenStore) =>
  describe(`ArticleStore contract: ${name}`, () => {
    const current = useStore(open)

    it('stores and returns an article unchanged', async () => {
      const store = current()
      const article = makeArticle()
      expect(await store.articles.upsert(article)).toEqual({ created: true })
      expect(await store.articles.get(article.id)).toEqual(article)
      expect(await store.articles.get('missing')).toBeUndefined()
    })

    it('reads many by id in one call: live and kept aside, missing ones left out', async () => {
      const store = current()
      const live = makeArticle({ id: 'live-one' })
      const draft = makeArticle({ id: 'draft-one', status: 'draft' })
      await store.articles.upsertMany([live, draft])
      const found = await store.articles.getMany(['draft-one', 'missing', 'live-one'])
      expect([...found.keys()].sort()).toEqual(['draft-one', 'live-one'])
      expect(found.get('live-one')).toEqual(live)
      expect(found.get('draft-one')).toEqual(draft)
      expect((await store.articles.getMany([])).size).toBe(0)
    })

    it('replaces on upsert and says it was not created', async () => {
      const store = current()
      await store.articles.upsert(makeArticle())
      expect(await store.articles.upsert(makeArticle({ title: 'New title' }))).toEqual({
        created: false,
      })
      expect((await store.articles.get('test-article'))?.title).toBe('New title')
      expect(await store.articles.count()).toBe(1)
    })

    it('lists the newest articles of a selection in order, limited', async () => {
      const store = current()
      await store.articles.upsertMany(await fixtureArticles())
      const site = await store.articles.newestFor({ kind: 'site' }, 3)
      expect(site.map((a) => a.id)).toEqual([
        'pakistan-china-space-science-centre',
        'starliner-astronauts-risk',
        'giant-tortoise-reintroduced',
      ])
      const space = await store.articles.newestFor({ kind: 'category', slug: 'space' }, 50)
      expect(space.map((a) => a.id)).toEqual([
        'pakistan-china-space-science-centre',
        'starliner-astronauts-risk',
        'artemis-ii-launch-pad',
      ])
      const byAuthor = await store.articles.newestFor({ kind: 'author', slug: 'tomas-herrera' }, 50)
      expect(byAuthor.map((a) => a.id)).toEqual([
        'spinosaurus-mirabilis-chicago',
        'spiked-dinosaur-china',
      ])
      expect(await store.articles.newestFor({ kind: 'tag', slug: 'no-such-tag' }, 50)).toEqual([])
    })

    it('orders ties on publishedAt by id, descending', async () => {
      const store = current()
      const at = '2026-01-01T00:00:00Z'
      await store.articles.upsertMany(
        ['b', 'c', 'a'].map((id) => makeArticle({ id, publishedAt: at })),
      )
      expect((await store.articles.newestFor({ kind: 'site' }, 10)).map((a) => a.id)).toEqual([
        'c',
        'b',
        'a',
      ])
    })

    it('counts facets and drops those left empty', async () => {
      const store = current()
      await store.articles.upsertMany(await fixtureArticles())
      const facets = await store.articles.facets()
      expect(facets.find((f) => f.kind === 'category' && f.slug === 'climate')).toEqual({
        kind: 'category',
        slug: 'climate',
        label: 'Climate',
        count: 3,
      })
      await store.articles.upsert(makeArticle({ id: 'only-one', categories: ['Lonely'] }))
      expect((await store.articles.facets()).some((f) => f.slug === 'lonely')).toBe(true)
      await store.articles.upsert(makeArticle({ id: 'only-one', categories: ['Space'] }))
      expect((await store.articles.facets()).some((f) => f.slug === 'lonely')).toBe(false)
    })

    it('deletes, remembers the deletion per selection, and forgets it on re-creation', async () => {
      const store = current()
      await store.articles.upsert(makeArticle())
      const at = new Date('2026-11-22T12:00:00Z')
      expect(await store.articles.delete('test-article', at)).toBe(true)
      expect(await store.articles.delete('test-article', at)).toBe(false)
      expect(await store.articles.get('test-article')).toBeUndefined()
      expect((await store.articles.deletionsFor({ kind: 'site' }, 1))[0]?.deletedAt).toBe(
        at.toISOString(),
      )
      expect(
        (await store.articles.deletionsFor({ kind: 'category', slug: 'space' }, 1))[0]?.deletedAt,
      ).toBe(at.toISOString())
      expect(
        (await store.articles.deletionsFor({ kind: 'category', slug: 'climate' }, 1))[0]?.deletedAt,
      ).toBeUndefined()
      expect((await store.articles.facets()).length).toBe(0)
      await store.articles.upsert(makeArticle())
      expect((await store.articles.deletionsFor({ kind: 'site' }, 1))[0]?.deletedAt).toBeUndefined()
    })

    it('lists the latest deletions of a selection, newest first', async () => {
      const store = current()
      await store.articles.upsertMany(await fixtureArticles())
      await store.articles.delete('artemis-ii-launch-pad', new Date('2026-11-21T00:00:00Z'))
      await store.articles.delete('starliner-astronauts-risk', new Date('2026-11-22T00:00:00Z'))
      await store.articles.delete('giant-tortoise-reintroduced', new Date('2026-11-23T00:00:00Z'))
      expect(await store.articles.deletionsFor({ kind: 'category', slug: 'space' }, 10)).toEqual([
        { id: 'starliner-astronauts-risk', deletedAt: '2026-11-22T00:00:00.000Z' },
        { id: 'artemis-ii-launch-pad', deletedAt: '2026-11-21T00:00:00.000Z' },
      ])
      expect((await store.articles.deletionsFor({ kind: 'site' }, 2)).map((d) => d.id)).toEqual([
        'giant-tortoise-reintroduced',
        'starliner-astronauts-risk',
      ])
    })

    it('writes a batch all or nothing', async () => {
      const store = current()
      await store.articles.upsert(makeArticle({ id: 'kept' }))
      const bad = { ...makeArticle({ id: 'second' }), publishedAt: undefined } as never
      await expect(store.articles.upsertMany([makeArticle({ id: 'first' }), bad])).rejects.toThrow(
        /store/,
      )
      expect(await store.articles.get('first')).toBeUndefined()
      expect(await store.articles.count()).toBe(1)
    })

    it('pages with a cursor without skipping or repeating', async () => {
      const store = current()
      await store.articles.upsertMany(await fixtureArticles())
      const all = (await store.articles.newestFor({ kind: 'site' }, 100)).map((a) => a.id)
      const seen: string[] = []
      let page = await store.articles.newestFor({ kind: 'site' }, 4)
      while (page.length > 0) {
        seen.push(...page.map((a) => a.id))
        const last = page.at(-1)!
        page = await store.articles.newestFor({ kind: 'site' }, 4, {
          publishedAt: last.publishedAt,
          id: last.id,
        })
      }
      expect(seen).toEqual(all)
      const climate = await store.articles.newestFor({ kind: 'category', slug: 'climate' }, 1)
      const rest = await store.articles.newestFor({ kind: 'category', slug: 'climate' }, 10, {
        publishedAt: climate[0]!.publishedAt,
        id: climate[0]!.id,
      })
      expect(rest).toHaveLength(2)
    })

    it('indexes months: counts, newest of a month, moves and deletions', async () => {
      const store = current()
      await store.articles.upsertMany([
        makeArticle({ id: 'oct', publishedAt: '2026-10-31T23:30:00-02:00' }),
        makeArticle({ id: 'nov-1', publishedAt: '2026-11-02T00:00:00Z' }),
        makeArticle({ id: 'nov-2', publishedAt: '2026-11-03T00:00:00Z' }),
      ])
      // 23:30 at -02:00 is 01:30 UTC on 1 November: months are UTC.
      expect(await store.articles.months()).toEqual([{ month: '2026-11', count: 3 }])
      expect((await store.articles.facets()).some((f) => (f.kind as string) === 'month')).toBe(
        false,
      )
      const marker = await store.builds.changeMarker()
      await store.articles.upsert(makeArticle({ id: 'nov-1', publishedAt: '2025-01-05T00:00:00Z' }))
      expect(await store.articles.months()).toEqual([
        { month: '2025-01', count: 1 },
        { month: '2026-11', count: 2 },
      ])
      const touched = (await store.builds.changedSince(marker)).touched
      expect(touched.has('month:2025-01') && touched.has('month:2026-11')).toBe(true)
      const nov = await store.articles.newestFor({ kind: 'month', slug: '2026-11' }, 10)
      expect(nov.map((a) => a.id)).toEqual(['nov-2', 'oct'])
      await store.articles.delete('nov-2', new Date('2026-11-24T00:00:00Z'))
      expect(await store.articles.deletionsFor({ kind: 'month', slug: '2026-11' }, 5)).toEqual([
        { id: 'nov-2', deletedAt: '2026-11-24T00:00:00.000Z' },
      ])
    })

    it('keeps scheduled articles and drafts aside until they are due', async () => {
      const store = current()
      const later = new Date(Date.now() + 86_400_000).toISOString()
      const scheduled = makeArticle({ id: 'scheduled', publishedAt: later, tags: ['Later'] })
      const draft = makeArticle({ id: 'draft', status: 'draft', tags: ['Drafts'] })
      const marker = await store.builds.changeMarker()
      expect(await store.articles.upsert(scheduled)).toEqual({ created: true })
      await store.articles.upsertMany([draft, makeArticle({ id: 'live' })])
      expect(await store.articles.get('scheduled')).toEqual(scheduled)
      expect(await store.articles.get('draft')).toEqual(draft)
      expect((await store.articles.newestFor({ kind: 'site' }, 10)).map((a) => a.id)).toEqual([
        'live',
      ])
      expect((await store.articles.facets()).map((f) => f.slug)).not.toContain('later')
      expect((await store.articles.facets()).map((f) => f.slug)).not.toContain('drafts')
      expect(await store.articles.months()).toEqual([{ month: '2026-11', count: 1 }])
      // Every article held, so that a store of drafts is never seeded with the fixtures.
      expect(await store.articles.count()).toBe(3)
      expect(await store.articles.nextDue()).toBe(scheduled.publishedAt)
      expect((await store.articles.keptAside(10)).map((a) => a.id)).toEqual(['scheduled', 'draft'])
      expect(await store.articles.releaseDue(new Date())).toBe(0)
      expect(await store.articles.releaseDue(new Date(Date.parse(later) + 1000))).toBe(1)
      expect(
        (await store.articles.newestFor({ kind: 'tag', slug: 'later' }, 10)).map((a) => a.id),
      ).toEqual(['scheduled'])
      expect((await store.builds.changedSince(marker)).touched).toContain('tag:later')
      expect(await store.articles.nextDue()).toBeUndefined()
      expect((await store.articles.keptAside(10)).map((a) => a.id)).toEqual(['draft'])
      expect(await store.articles.upsert(scheduled)).toEqual({ created: false })
    })

    it('takes a live article made a draft out as a deletion; a draft deleted just goes', async () => {
      const store = current()
      await store.articles.upsert(makeArticle())
      expect(await store.articles.upsert(makeArticle({ status: 'draft' }))).toEqual({
        created: false,
      })
      expect(await store.articles.newestFor({ kind: 'site' }, 10)).toEqual([])
      expect((await store.articles.deletionsFor({ kind: 'site' }, 10)).map((d) => d.id)).toEqual([
        'test-article',
      ])
      expect((await store.articles.get('test-article'))?.status).toBe('draft')
      expect(await store.articles.delete('test-article', new Date())).toBe(true)
      expect(await store.articles.get('test-article')).toBeUndefined()
      expect(await store.articles.delete('test-article', new Date())).toBe(false)
    })
  })
