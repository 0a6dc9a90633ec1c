import { describe, expect, it } from 'vitest'
import {
  archiveDocuments,
  archiveParts,
  monthEnd,
  pagedDocuments,
  stableDocuments,
} from '../../src/feeds/history.js'
import { archiveMonthOf, pagePath } from '../../src/feeds/paths.js'

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
})

describe('archive months in parts', () => {
  it('chains the parts of a month, and its ends to the neighbouring months', () => {
    const docs = archiveParts('', '2026-10', 3, {
      older: 'archive/2026/09/2',
      newer: 'archive/2026/11',
    })
    expect(docs.map((d) => [d.path, d.links.filter((l) => l.rel !== 'current')])).toEqual([
      [
        'archive/2026/10',
        [
          { rel: 'prev-archive', path: 'archive/2026/09/2' },
          { rel: 'next-archive', path: 'archive/2026/10/2' },
        ],
      ],
      [
        'archive/2026/10/2',
        [
          { rel: 'prev-archive', path: 'archive/2026/10' },
          { rel: 'next-archive', path: 'archive/2026/10/3' },
        ],
      ],
      [
        'archive/2026/10/3',
        [
          { rel: 'prev-archive', path: 'archive/2026/10/2' },
          { rel: 'next-archive', path: 'archive/2026/11' },
        ],
      ],
    ])
    expect(docs.every((d) => d.archive)).toBe(true)
  })

  it('links the subscription document to the newest part of the newest month', () => {
    const [one] = pagedDocuments('', 1, '2026-11', 4)
    expect(one!.links).toEqual([{ rel: 'prev-archive', path: 'archive/2026/11/4' }])
  })
})

describe('stable pages', () => {
  it('links the subscription document to the newest page, each page to its neighbours, no last', () => {
    const [feed, four, three, two] = stableDocuments('tags/nasa', { oldest: 2, newest: 4 })
    expect(feed).toEqual({
      path: 'tags/nasa',
      archive: false,
      links: [
        { rel: 'first', path: 'tags/nasa' },
        { rel: 'next', path: 'tags/nasa/stable/4' },
      ],
    })
    expect(four!.links).toEqual([
      { rel: 'first', path: 'tags/nasa' },
      { rel: 'previous', path: 'tags/nasa' },
      { rel: 'next', path: 'tags/nasa/stable/3' },
    ])
    expect(three!.links.map((l) => l.path)).toEqual([
      'tags/nasa',
      'tags/nasa/stable/4',
      'tags/nasa/stable/2',
    ])
    // The oldest page kept links no older one: there is none to read.
    expect(two).toEqual({
      path: 'tags/nasa/stable/2',
      archive: false,
      links: [
        { rel: 'first', path: 'tags/nasa' },
        { rel: 'previous', path: 'tags/nasa/stable/3' },
      ],
    })
  })

  it('gives a page the same links as newer pages come, but once: when it stops being the newest', () => {
    const links = (page: number, newest: number) =>
      stableDocuments('', { oldest: 1, newest }).find((d) => d.path === `stable/${page}`)!.links
    expect(links(2, 3)).toEqual(links(2, 4))
    expect(links(3, 4)).toEqual(links(3, 5))
    expect(links(3, 3)).not.toEqual(links(3, 4))
  })

  it('links the site feed to its newest archive part besides its newest page', () => {
    const [site] = stableDocuments('', { oldest: 1, newest: 1 }, '2026-11', 2)
    expect(site!.links.map((l) => `${l.rel} ${l.path}`)).toEqual([
      'first ',
      'next stable/1',
      'prev-archive archive/2026/11/2',
    ])
    expect(stableDocuments('', undefined)).toEqual([{ path: '', links: [], archive: false }])
  })
})

describe('archive caching', () => {
  it('reads the month of archive URLs only', () => {
    expect(archiveMonthOf('/feeds/archive/2026/09/atom.xml')).toBe('2026-09')
    expect(archiveMonthOf('/feeds/archive/2026/09/')).toBe('2026-09')
    expect(archiveMonthOf('/feeds/tags/archive/2026/09/atom.xml')).toBeUndefined()
    expect(monthEnd('2026-12').toISOString()).toBe('2027-01-01T00:00:00.000Z')
  })
})
