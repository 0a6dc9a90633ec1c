import { beforeAll, describe, expect, it } from 'vitest'
import { buildCatalog } from '../../src/feeds/catalog.js'
import { checkOutput } from '../../src/feeds/check/index.js'
import type { FeedFormat } from '../../src/feeds/formats.js'
import { type FeedModel, toFeedModel } from '../../src/feeds/model.js'
import { RENDERERS } from '../../src/feeds/render/index.js'
import { fixtureArticles, IDS, SITE } from '../helpers/fixtures.js'

let model: FeedModel
const good = {} as Record<FeedFormat, string>

beforeAll(async () => {
  const articles = (await fixtureArticles()).sort((a, b) =>
    a.publishedAt < b.publishedAt ? 1 : -1,
  )
  const [site] = buildCatalog(SITE, [])
  model = toFeedModel({ site: SITE, ids: IDS, definition: site!, articles })
  for (const format of ['rss', 'atom', 'json'] as const) good[format] = RENDERERS[format](model)
})

/** The rules that fire on a hand-broken copy of a good document. */
const rulesFor = (format: FeedFormat, breakIt: (body: string) => string): string[] => {
  const broken = breakIt(good[format])
  expect(broken).not.toBe(good[format])
  return [...new Set(checkOutput(format, broken, model).map((p) => p.rule))]
}

const firstMatch = (body: string, pattern: RegExp): string => pattern.exec(body)![0]

describe('parse-back check', () => {
  it('passes the good documents', () => {
    for (const format of ['rss', 'atom', 'json'] as const)
      expect(checkOutput(format, good[format], model)).toEqual([])
  })

  it('catches XML that is not well-formed', () => {
    expect(rulesFor('rss', (b) => b.replace('</channel>', ''))).toEqual(['well-formed'])
    expect(rulesFor('atom', (b) => b.replace('<entry>', '<entry><oops>'))).toEqual(['well-formed'])
  })

  it('catches JSON that does not parse or does not fit JSON Feed 1.1', () => {
    expect(rulesFor('json', (b) => b.slice(0, -10))).toEqual(['well-formed'])
    expect(rulesFor('json', (b) => b.replace('version/1.1', 'version/1'))).toEqual([
      'json-feed-schema',
    ])
    expect(rulesFor('json', (b) => b.replace(/"id": "[^"]*",/, ''))).toEqual(['json-feed-schema'])
  })

  it('catches missing required elements', () => {
    expect(
      rulesFor('rss', (b) => b.replace(/<description>Science news[^<]*<\/description>/, '')),
    ).toEqual(['required-elements'])
    expect(rulesFor('atom', (b) => b.replace(/<updated>[^<]*<\/updated>/, ''))).toContain(
      'required-elements',
    )
    expect(rulesFor('atom', (b) => b.replace(/<author>[\s\S]*?<\/author>/g, ''))).toContain(
      'required-elements',
    )
  })

  it('catches control characters', () => {
    expect(rulesFor('rss', (b) => b.replace('<p>Pakistan', '<p>\u0001Pakistan'))).toContain(
      'control-characters',
    )
    expect(
      rulesFor('json', (b) => b.replace('"title": "Pakistan', '"title": "\\u0001Pakistan')),
    ).toContain('control-characters')
  })

  it('catches dates in the wrong format', () => {
    expect(
      rulesFor('rss', (b) => b.replace(/<pubDate>[^<]*</, '<pubDate>2026-11-20T03:15:00Z<')),
    ).toEqual(['date-format'])
    expect(
      rulesFor('atom', (b) =>
        b.replace(/<published>[^<]*</, '<published>Fri, 20 Nov 2026 03:15:00 GMT<'),
      ),
    ).toEqual(['date-format'])
    expect(
      rulesFor('json', (b) =>
        b.replace(/"date_published": "[^"]*"/, '"date_published": "yesterday"'),
      ),
    ).toEqual(['date-format'])
  })

  it('catches duplicate and missing item ids', () => {
    const ids = [...good.atom.matchAll(/<id>([^<]*articles[^<]*)<\/id>/g)].map((m) => m[1]!)
    expect(rulesFor('atom', (b) => b.replace(ids[1]!, ids[0]!))).toEqual(
      expect.arrayContaining(['unique-ids']),
    )
    expect(rulesFor('rss', (b) => b.replace(/<guid[^>]*>[^<]*<\/guid>/, ''))).toContain('item-ids')
  })

  it('catches relative URLs', () => {
    expect(
      rulesFor('rss', (b) =>
        b.replace(/<link>https:\/\/news\.example\.org\/science\//, '<link>/science/'),
      ),
    ).toEqual(['absolute-urls'])
    expect(
      rulesFor('json', (b) =>
        b.replace('"url": "https://news.example.org/science/', '"url": "science/'),
      ),
    ).toEqual(['absolute-urls'])
  })

  it('catches namespace prefixes that are used but not declared', () => {
    expect(
      rulesFor('rss', (b) => b.replace(' xmlns:dc="http://purl.org/dc/elements/1.1/"', '')),
    ).toEqual(['namespaces'])
  })

  it('catches an item count or ids other than the ones meant to be rendered', () => {
    expect(rulesFor('atom', (b) => b.replace(/<entry>[\s\S]*?<\/entry>/, ''))).toEqual([
      'item-count',
    ])
    const items = [...good.rss.matchAll(/<item>[\s\S]*?<\/item>/g)].map((m) => m[0])
    expect(
      rulesFor('rss', (b) =>
        b.replace(items[0]!, '__').replace(items[1]!, items[0]!).replace('__', items[1]!),
      ),
    ).toEqual(['item-ids'])
  })

  it('catches a wrong self link, title or feed date', () => {
    expect(rulesFor('atom', (b) => b.replace('/feeds/atom.xml', '/feeds/rss.xml'))).toEqual([
      'self-link',
    ])
    expect(
      rulesFor('json', (b) => b.replace('"title": "Example Science"', '"title": "Other"')),
    ).toEqual(['feed-title'])
    const date = firstMatch(good.rss, /<lastBuildDate>[^<]*</)
    expect(
      rulesFor('rss', (b) => b.replace(date, '<lastBuildDate>Mon, 01 Jan 2024 00:00:00 GMT<')),
    ).toEqual(['feed-updated'])
  })

  it('catches tombstones other than the deletions meant, and undeclared or misdated ones', () => {
    const withDeletion = {
      ...model,
      deletions: [
        { id: 'https://news.example.org/articles/gone', when: new Date('2026-11-21T00:00:00Z') },
      ],
    }
    const atom = RENDERERS.atom(withDeletion)
    expect(atom).toContain('xmlns:at="http://purl.org/atompub/tombstones/1.0"')
    expect(atom).toContain(
      '<at:deleted-entry ref="https://news.example.org/articles/gone" when="2026-11-21T00:00:00.000Z"/>',
    )
    expect(checkOutput('atom', atom, withDeletion)).toEqual([])
    expect(checkOutput('atom', good.atom, withDeletion).map((p) => p.rule)).toEqual(['tombstones'])
    const undeclared = atom.replace(' xmlns:at="http://purl.org/atompub/tombstones/1.0"', '')
    expect(checkOutput('atom', undeclared, withDeletion).map((p) => p.rule)).toEqual(['namespaces'])
    const misdated = atom.replace('when="2026-11-21T00:00:00.000Z"', 'when="yesterday"')
    expect(checkOutput('atom', misdated, withDeletion).map((p) => p.rule)).toEqual(['date-format'])
  })

  it('writes tombstones before the first entry, and catches any element after it', () => {
    const withDeletion = {
      ...model,
      deletions: [
        { id: 'https://news.example.org/articles/gone', when: new Date('2026-11-21T00:00:00Z') },
      ],
    }
    const atom = RENDERERS.atom(withDeletion)
    expect(atom.indexOf('<at:deleted-entry')).toBeLessThan(atom.indexOf('<entry>'))
    const tombstone = firstMatch(atom, /<at:deleted-entry[^>]*\/>/)
    const late = atom.replace(tombstone, '').replace('</feed>', `${tombstone}</feed>`)
    expect(checkOutput('atom', late, withDeletion).map((p) => p.rule)).toEqual(['atom-order'])
    const lateLink = good.atom.replace(
      '</feed>',
      '<link rel="related" href="https://x.example/"/></feed>',
    )
    expect(checkOutput('atom', lateLink, model).map((p) => p.rule)).toContain('atom-order')
  })

  it('catches history links, archive markers and hubs other than the model says', () => {
    const [site] = buildCatalog(SITE, [])
    const paged = toFeedModel({
      site: SITE,
      ids: IDS,
      definition: site!,
      articles: [],
      hub: 'https://hub.example.org/',
      document: {
        path: 'archive/2026/10',
        archive: true,
        links: [
          { rel: 'current', path: '' },
          { rel: 'prev-archive', path: 'archive/2026/09' },
        ],
      },
    })
    const docs = Object.fromEntries(
      (['rss', 'atom', 'json'] as const).map((f) => [f, RENDERERS[f](paged)]),
    ) as Record<FeedFormat, string>
    for (const format of ['rss', 'atom', 'json'] as const) {
      expect(checkOutput(format, docs[format], paged), format).toEqual([])
    }
    const rules = (format: FeedFormat, body: string) => [
      ...new Set(checkOutput(format, body, paged).map((p) => p.rule)),
    ]
    expect(rules('atom', docs.atom.replace('<fh:archive/>', ''))).toEqual(['history-links'])
    expect(rules('atom', docs.atom.replace('rel="prev-archive"', 'rel="next-archive"'))).toEqual([
      'history-links',
    ])
    expect(
      rules('rss', docs.rss.replace('archive/2026/09/rss.xml', 'archive/2026/08/rss.xml')),
    ).toEqual(['history-links'])
    expect(
      rules('rss', docs.rss.replace(' xmlns:fh="http://purl.org/syndication/history/1.0"', '')),
    ).toEqual(['namespaces'])
    expect(rules('json', docs.json.replace('"next_url"', '"_next_url"'))).toEqual(['history-links'])
    expect(rules('atom', docs.atom.replace('rel="hub"', 'rel="hubb"'))).toEqual(['history-links'])
    // The JSON archive's next_url is its previous month: older items.
    expect(JSON.parse(docs.json).next_url).toBe(`${SITE.url}/feeds/archive/2026/09/feed.json`)
  })

  it('catches media whose type or length is not the declared one', () => {
    expect(rulesFor('atom', (b) => b.replace('type="image/jpeg"', 'type="image/jpg"'))).toEqual([
      'media',
    ])
    expect(rulesFor('rss', (b) => b.replace('length="126734"', 'length="0"'))).toEqual(['media'])
  })
})
