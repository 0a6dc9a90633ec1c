// A build's reads come one per turn of the event loop, so requests are served between them.
import { describe, expect, it } from 'vitest'
import { pacedReads } from '../../src/builder/paced-store.js'
import { fixtureArticles } from '../helpers/fixtures.js'
import { useSqliteStore } from '../helpers/store.js'

const store = useSqliteStore(fixtureArticles)

describe('pacedReads', () => {
  it('answers what the store answers', async () => {
    const paced = pacedReads(store().articles)
    const site = { kind: 'site' as const }
    expect(await paced.newestFor(site, 3)).toEqual(await store().articles.newestFor(site, 3))
    expect(await paced.months()).toEqual(await store().articles.months())
    expect(await paced.facets()).toEqual(await store().articles.facets())
    expect(await paced.count()).toBe(await store().articles.count())
    expect(await paced.deletionsFor(site, 5)).toEqual(await store().articles.deletionsFor(site, 5))
  })

  it('lets the event loop turn before each read, where SQLite alone would answer at once', async () => {
    const order: string[] = []
    const articles = store().articles
    const counted = {
      ...articles,
      newestFor: (...args: Parameters<typeof articles.newestFor>) => {
        order.push('read')
        return articles.newestFor(...args)
      },
    }
    const read = async (reads: typeof articles) => {
      order.length = 0
      setImmediate(() => order.push('turn'))
      for (let i = 0; i < 3; i += 1) await reads.newestFor({ kind: 'site' }, 2)
      const seen = [...order]
      // Let the turn run before the next case starts.
      await new Promise((turned) => setImmediate(turned))
      return seen
    }
    // Unpaced, three synchronous reads run before anything else the loop holds.
    expect(await read(counted)).toEqual(['read', 'read', 'read'])
    expect(await read(pacedReads(counted))).toEqual(['turn', 'read', 'read', 'read'])
  })
  it('passes every other member through, also of a stand-in that forwards to a store (open.ts)', async () => {
    const real = store().articles
    // Like store/open.ts's stand-in: no own members, each looked up on the store at call time.
    const standIn = new Proxy({} as typeof real, {
      get: (_target, key) => Reflect.get(real, key) as unknown,
    })
    const paced = pacedReads(standIn)
    expect(typeof paced.upsertMany).toBe('function')
    expect(typeof paced.releaseDue).toBe('function')
    expect(await paced.nextDue()).toEqual(await real.nextDue())
    expect(await paced.newestFor({ kind: 'site' }, 2)).toEqual(
      await real.newestFor({ kind: 'site' }, 2),
    )
  })
})
