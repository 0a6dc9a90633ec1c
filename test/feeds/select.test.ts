import { describe, expect, it } from 'vitest'
import { buildCatalog, type CustomSelection } from '../../src/feeds/catalog.js'
import { deletionsOf, selectArticles } from '../../src/feeds/select.js'
import { fixtureArticles, makeArticle, SITE } from '../helpers/fixtures.js'
import { useSqliteStore } from '../helpers/store.js'

const store = useSqliteStore(fixtureArticles)

const custom = (include: CustomSelection['include'], exclude: CustomSelection['exclude'] = []) =>
  ({ kind: 'custom', include, exclude }) as const

describe('custom feed selection', () => {
  it('merges several facets newest first, without duplicates, minus the excluded', async () => {
    const selection = custom(
      [
        { kind: 'category', slug: 'space' },
        { kind: 'category', slug: 'climate' },
      ],
      [{ kind: 'tag', slug: 'nasa' }],
    )
    const ids = (await selectArticles(store().articles, selection, 50)).map((a) => a.id)
    expect(ids).toEqual([
      'pakistan-china-space-science-centre',
      'blood-falls-antarctica',
      'climate-tipping-point-human-evolution',
      'ecological-tipping-point',
    ])
  })

  it('honours the limit and pages through a facet when exclusions skip articles', async () => {
    const many = Array.from({ length: 30 }, (_, i) =>
      makeArticle({
        id: `p-${String(i).padStart(2, '0')}`,
        publishedAt: `2026-10-${String(i + 1).padStart(2, '0')}T00:00:00Z`.replace('-31T', '-30T'),
        categories: ['Paged'],
        tags: i % 2 === 0 ? ['Skip'] : [],
      }),
    )
    await store().articles.upsertMany(many)
    const selection = custom([{ kind: 'category', slug: 'paged' }], [{ kind: 'tag', slug: 'skip' }])
    const chosen = await selectArticles(store().articles, selection, 5)
    expect(chosen).toHaveLength(5)
    expect(chosen.every((a) => !a.tags.includes('Skip'))).toBe(true)
  })

  it('takes the latest deletion of any included facet', async () => {
    await store().articles.delete('starliner-astronauts-risk', new Date('2026-11-24T00:00:00Z'))
    const selection = custom([
      { kind: 'category', slug: 'space' },
      { kind: 'category', slug: 'wildlife' },
    ])
    expect((await deletionsOf(store().articles, selection))[0]?.deletedAt).toBe(
      '2026-11-24T00:00:00.000Z',
    )
  })

  it('puts configured feeds in the catalog with the selections they follow', () => {
    const [, feed] = buildCatalog(
      SITE,
      [],
      [
        {
          slug: 'earth',
          title: 'Earth',
          description: 'Climate and wildlife',
          include: { categories: ['Climate', 'Wildlife'], tags: [], authors: [] },
          exclude: { categories: [], tags: ['Antarctica'], authors: [] },
        },
      ],
    )
    expect(feed).toMatchObject({
      key: 'custom:earth',
      path: 'custom/earth',
      watches: ['category:climate', 'category:wildlife', 'tag:antarctica'],
    })
  })
})
