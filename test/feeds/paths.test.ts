import { describe, expect, it } from 'vitest'
import {
  oldPageOf,
  stablePagePath,
  stablePagesOf,
  stablePageUrlPath,
  archiveMonthOf,
  archivePartOfDocument,
  archivePath,
  customPath,
  documentPathOf,
  facetPath,
  feedsUrlPathOf,
  feedUrlPath,
  fileOf,
  FEEDS_DIR_FILE_NAMES,
  INDEX_PATH,
  pagePath,
  pageUrlPath,
  servedPath,
  siteUrlOf,
  urlPathOfFile,
  viewOfUrl,
  viewUrlPath,
} from '../../src/feeds/paths.js'

describe('paths', () => {
  it('places a feed, its pages and the archive months under /feeds/', () => {
    expect(feedUrlPath('', 'rss')).toBe('/feeds/rss.xml')
    expect(feedUrlPath(facetPath('category', 'space'), 'atom')).toBe(
      '/feeds/categories/space/atom.xml',
    )
    expect(feedUrlPath(pagePath(customPath('mix'), 2), 'json')).toBe(
      '/feeds/custom/mix/page/2/feed.json',
    )
    expect(viewUrlPath(archivePath('2026-11'))).toBe('/feeds/archive/2026/11/')
    expect(viewUrlPath('')).toBe('/feeds/')
  })

  it('reads a URL path back into its document, its page for people and its month', () => {
    expect(documentPathOf('/feeds/rss.xml')).toBe('')
    expect(documentPathOf('/feeds/tags/nasa/page/3/atom.xml')).toBe('tags/nasa/page/3')
    expect(documentPathOf('/feeds/archive/2026/11/')).toBe('archive/2026/11')
    expect(viewOfUrl('/feeds/tags/nasa/rss.xml')).toBe('/feeds/tags/nasa/')
    expect(archiveMonthOf('/feeds/archive/2026/11/atom.xml')).toBe('2026-11')
    expect(archiveMonthOf('/feeds/archive/2026/11/')).toBe('2026-11')
    expect(archiveMonthOf('/feeds/tags/archive/2026/11/atom.xml')).toBeUndefined()
  })

  it('keeps part 1 of an archive month at the month URL, later parts under it', () => {
    expect(feedUrlPath(archivePath('2026-11', 1), 'atom')).toBe('/feeds/archive/2026/11/atom.xml')
    expect(feedUrlPath(archivePath('2026-11', 3), 'rss')).toBe('/feeds/archive/2026/11/3/rss.xml')
    expect(archivePartOfDocument('archive/2026/11/3')).toEqual({ month: '2026-11', part: 3 })
    expect(archivePartOfDocument('archive/2026/11')).toEqual({ month: '2026-11', part: 1 })
    // Part 1 has one URL only; no part 0.
    expect(archivePartOfDocument('archive/2026/11/1')).toBeUndefined()
    expect(archivePartOfDocument('archive/2026/11/0')).toBeUndefined()
    expect(archiveMonthOf('/feeds/archive/2026/11/3/feed.json')).toBe('2026-11')
    expect(archiveMonthOf('/feeds/archive/2026/11/3/')).toBe('2026-11')
  })

  it('finds the same file on another page of a feed', () => {
    expect(pageUrlPath('/feeds/tags/nasa/atom.xml', 2)).toBe('/feeds/tags/nasa/page/2/atom.xml')
    expect(pageUrlPath('/feeds/tags/nasa/page/2/atom.xml', 1)).toBe('/feeds/tags/nasa/atom.xml')
    expect(pageUrlPath('/feeds/rss.xml', 3)).toBe('/feeds/page/3/rss.xml')
  })

  it('places stable pages under stable/N and reads positional page URLs back', () => {
    expect(stablePagePath('', 3)).toBe('stable/3')
    expect(stablePagePath('tags/nasa', 12)).toBe('tags/nasa/stable/12')
    expect(stablePageUrlPath('tags/nasa', 2, 'atom.xml')).toBe('/feeds/tags/nasa/stable/2/atom.xml')
    expect(stablePageUrlPath('', 2, '')).toBe('/feeds/stable/2/')
    expect(oldPageOf('/feeds/page/2/rss.xml')).toEqual({ feedPath: '', page: 2, file: 'rss.xml' })
    expect(oldPageOf('/feeds/tags/nasa/page/4/')).toEqual({
      feedPath: 'tags/nasa',
      page: 4,
      file: '',
    })
    for (const other of ['/feeds/rss.xml', '/feeds/page/0/rss.xml', '/feeds/stable/2/rss.xml']) {
      expect(oldPageOf(other)).toBeUndefined()
    }
    const served = [
      '/feeds/tags/nasa/stable/3/rss.xml',
      '/feeds/tags/nasa/stable/4/rss.xml',
      '/feeds/tags/nasa/stable/4/atom.xml',
      '/feeds/tags/nasa-2/stable/9/rss.xml',
      '/feeds/stable/7/rss.xml',
    ]
    expect(stablePagesOf('tags/nasa', served).sort()).toEqual([3, 4])
    expect(stablePagesOf('', served)).toEqual([7])
  })

  it('maps outputs to files under feeds/ and back', () => {
    expect(fileOf(INDEX_PATH)).toBe('home.html')
    expect(fileOf('/feeds/')).toBe('index.html')
    expect(fileOf('/feeds/tags/nasa/')).toBe('tags/nasa/index.html')
    expect(fileOf('/feeds/tags/nasa/rss.xml')).toBe('tags/nasa/rss.xml')
    for (const urlPath of ['/feeds/', '/feeds/tags/nasa/', '/feeds/tags/nasa/rss.xml']) {
      expect(urlPathOfFile(fileOf(urlPath))).toBe(urlPath)
    }
    expect(servedPath('/feeds/x/index.html.gz')).toBe('/feeds/x/')
    expect(servedPath('/feeds/x/rss.xml.br')).toBe('/feeds/x/rss.xml')
    expect(FEEDS_DIR_FILE_NAMES).toContain('feed.json.gz')
    expect(FEEDS_DIR_FILE_NAMES).toContain('index.html.br')
  })

  it('writes URLs percent-encoded and reads them back decoded', () => {
    const site = 'https://news.example.org'
    const url = siteUrlOf(site, feedUrlPath(facetPath('tag', 'ракеты'), 'atom'))
    expect(url).toBe(`${site}/feeds/tags/%D1%80%D0%B0%D0%BA%D0%B5%D1%82%D1%8B/atom.xml`)
    expect(feedsUrlPathOf(site, url)).toBe('/feeds/tags/ракеты/atom.xml')
    expect(feedsUrlPathOf(site, 'https://elsewhere.example/feeds/rss.xml')).toBeUndefined()
    expect(feedsUrlPathOf(site, `${site}/feeds/%E0%A4%A`)).toBeUndefined()
  })
})
