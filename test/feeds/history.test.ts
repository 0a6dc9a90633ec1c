import { describe, expect, it } from 'vitest'
import { archiveDocuments, monthEnd, pagedDocuments } from '../../src/feeds/history.js'
import { archiveMonthOf, pagePath } from '../../src/feeds/paths.js'
import { ARCHIVE_SETTLE_MS, cachePolicy } from '../../src/http/cache-policy.js'
import { archivesDue } from '../../src/builder/documents.js'

describe('RFC 5005 documents', () => {
  it('puts page 1 at the feed itself and the others under page/N', () => {
    expect(pagePath('', 1)).toBe('')
    expect(pagePath('', 2)).toBe('page/2')
    expect(pagePath('tags/nasa', 3)).toBe('tags/nasa/page/3')
  })

  it('links pages first/previous/next/last, and page 1 to the newest archive', () => {
    const [one, two, three] = pagedDocuments('tags/nasa', 3, '2026-11')
    expect(one!.links).toEqual([
      { rel: 'first', path: 'tags/nasa' },
      { rel: 'next', path: 'tags/nasa/page/2' },
      { rel: 'last', path: 'tags/nasa/page/3' },
      { rel: 'prev-archive', path: 'archive/2026/11' },
    ])
    expect(two!.links.map((l) => l.rel)).toEqual(['first', 'previous', 'next', 'last'])
    expect(three!.links.map((l) => l.rel)).toEqual(['first', 'previous', 'last'])
    expect(pagedDocuments('', 1)).toEqual([{ path: '', links: [], archive: false }])
  })

  it('chains archives oldest to newest, each pointing at the current feed', () => {
    const docs = archiveDocuments('', ['2025-12', '2026-02'])
    expect(docs).toEqual([
      {
        path: 'archive/2025/12',
        archive: true,
        links: [
          { rel: 'current', path: '' },
          { rel: 'next-archive', path: 'archive/2026/02' },
        ],
      },
      {
        path: 'archive/2026/02',
        archive: true,
        links: [
          { rel: 'current', path: '' },
          { rel: 'prev-archive', path: 'archive/2025/12' },
        ],
      },
    ])
  })

  it('rebuilds touched months, and the neighbours of one that appeared or emptied', () => {
    const months = ['2026-01', '2026-03', '2026-05']
    const published = (m: string) => m !== '2026-04'
    // An edit inside an existing month: its links do not change.
    expect([...archivesDue(months, new Set(['month:2026-03']), published)]).toEqual(['2026-03'])
    // 2026-04 (still published) emptied: its old neighbours now link to each other.
    expect([...archivesDue(months, new Set(['month:2026-04']), () => true)].sort()).toEqual([
      '2026-03',
      '2026-05',
    ])
    // 2026-03 is new (not published yet): it and both neighbours.
    const fresh = (m: string) => m !== '2026-03'
    expect([...archivesDue(months, new Set(['month:2026-03']), fresh)].sort()).toEqual(months)
    expect([...archivesDue(months, new Set(['site']), (m) => m !== '2026-01')]).toEqual(['2026-01'])
  })
})

describe('archive caching', () => {
  it('reads the month of archive URLs only', () => {
    expect(archiveMonthOf('/feeds/archive/2026/09/atom.xml')).toBe('2026-09')
    expect(archiveMonthOf('/feeds/archive/2026/09/')).toBe('2026-09')
    expect(archiveMonthOf('/feeds/tags/archive/2026/09/atom.xml')).toBeUndefined()
    expect(monthEnd('2026-12').toISOString()).toBe('2027-01-01T00:00:00.000Z')
  })

  it('serves a month as immutable once it has settled, and says when that will be', () => {
    const path = '/feeds/archive/2026/10/rss.xml'
    const settled = monthEnd('2026-10').getTime() + ARCHIVE_SETTLE_MS
    expect(cachePolicy(path, 300, settled - 1)).toEqual({
      cacheControl: 'public, max-age=300, stale-while-revalidate=300',
      reviewAt: settled,
    })
    expect(cachePolicy(path, 300, settled).cacheControl).toBe('public, max-age=31536000, immutable')
    expect(cachePolicy('/feeds/rss.xml', 300, settled)).toEqual({
      cacheControl: 'public, max-age=300, stale-while-revalidate=300',
    })
  })
})
