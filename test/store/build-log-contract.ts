// The build log contract (store/build-log.ts) every adapter must pass; adapter test files call it.
import { describe, expect, it } from 'vitest'
import { makeArticle } from '../helpers/fixtures.js'
import { type OpenStore, useStore } from './open-store.js'

export const buildLogContract = (name: string, open: OpenStore) =>
  describe(`BuildLog contract: ${name}`, () => {
    const current = useStore(open)

    it('reports the selections touched since a marker, old and new', async () => {
      const store = current()
      await store.articles.upsert(makeArticle({ categories: ['Space'], tags: [] }))
      const { marker } = await store.builds.changedSince(0)
      expect((await store.builds.changedSince(marker)).touched.size).toBe(0)
      await store.articles.upsert(makeArticle({ categories: ['Climate'], tags: [] }))
      const changes = await store.builds.changedSince(marker)
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
      const store = current()
      await store.articles.upsert(makeArticle())
      const marker = await store.builds.changeMarker()
      expect(marker).toBe((await store.builds.changedSince(0)).marker)
      await store.builds.forgetChanges(marker)
      expect(await store.builds.changeMarker()).toBe(marker)
      expect((await store.builds.changedSince(0)).touched.size).toBe(0)
      await store.articles.upsert(makeArticle({ title: 'Again' }))
      const after = await store.builds.changedSince(marker)
      expect(after.marker).toBeGreaterThan(marker)
      expect(after.touched.has('site')).toBe(true)
    })

    it('records no change when an identical article is written again', async () => {
      const store = current()
      await store.articles.upsert(makeArticle())
      const { marker } = await store.builds.changedSince(0)
      await store.articles.upsert(makeArticle())
      expect((await store.builds.changedSince(marker)).touched.size).toBe(0)
    })

    it('keeps the newest build reports and forgets older ones', async () => {
      const store = current()
      for (let id = 1; id <= 5; id += 1)
        await store.builds.saveBuildReport(id, JSON.stringify({ id }), 3)
      expect(await store.builds.latestBuildReport()).toEqual({ id: 5, json: '{"id":5}' })
      expect(await store.builds.buildReport(3)).toBe('{"id":3}')
      expect(await store.builds.buildReport(2)).toBeUndefined()
    })

    it('records the id scheme a first build proposes, and keeps it whatever is proposed later', async () => {
      const store = current()
      const first = {
        fresh: { kind: 'tag' as const, authority: 'news.example.org', date: '2026-11-29' },
        legacy: { kind: 'url' as const, base: 'https://news.example.org' },
      }
      expect(await store.builds.idScheme(first)).toEqual(first.fresh)
      const moved = {
        fresh: { kind: 'tag' as const, authority: 'elsewhere.example', date: '2027-01-01' },
        legacy: { kind: 'url' as const, base: 'https://elsewhere.example' },
      }
      expect(await store.builds.idScheme(moved)).toEqual(first.fresh)
    })
  })
