import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import type { Article } from '../../src/articles/schema.js'
import { buildCatalog, type FeedDefinition } from '../../src/feeds/catalog.js'
import { checkOutput } from '../../src/feeds/check/index.js'
import { FORMAT_NAMES } from '../../src/feeds/formats.js'
import { type FeedModel, toFeedModel } from '../../src/feeds/model.js'
import { RENDERERS } from '../../src/feeds/render/index.js'
import { fixtureArticles, makeArticle, IDS, SITE, tempDir } from '../helpers/fixtures.js'
import { jingErrors, jsonFeedErrors } from '../helpers/validators.js'

let articles: Article[]
let catalog: FeedDefinition[]

const modelOf = (key: string, from = articles, lastDeletion?: string): FeedModel => {
  const definition = catalog.find((d) => d.key === key)!
  const selected = from
    .filter((a) => {
      const s = definition.selection
      if (s.kind === 'site') return true
      if (s.kind === 'category') return a.categories.some((c) => c.toLowerCase() === s.slug)
      return true
    })
    .sort((a, b) => (a.publishedAt < b.publishedAt ? 1 : -1))
  return toFeedModel({
    site: SITE,
    ids: IDS,
    definition,
    articles: selected,
    ...(lastDeletion && { deletions: [{ id: 'deleted-article', deletedAt: lastDeletion }] }),
  })
}

beforeAll(async () => {
  articles = await fixtureArticles()
  catalog = buildCatalog(SITE, [{ kind: 'category', slug: 'space', label: 'Space', count: 3 }])
})

describe('renderers', () => {
  for (const format of FORMAT_NAMES) {
    const file = { rss: 'rss.xml', atom: 'atom.xml', json: 'feed.json' }[format]

    it(`renders the site feed as the golden ${format} document`, async () => {
      await expect(RENDERERS[format](modelOf('site'))).toMatchFileSnapshot(`../golden/site.${file}`)
    })

    it(`renders the Space category as the golden ${format} document`, async () => {
      await expect(RENDERERS[format](modelOf('category:space'))).toMatchFileSnapshot(
        `../golden/category-space.${file}`,
      )
    })

    it(`gives byte-identical ${format} output for the same content`, () => {
      const shuffled = [...articles].reverse()
      expect(RENDERERS[format](modelOf('site', shuffled))).toBe(RENDERERS[format](modelOf('site')))
    })

    it(`passes its own parse-back check in ${format}`, () => {
      const model = modelOf('site')
      expect(checkOutput(format, RENDERERS[format](model), model)).toEqual([])
    })

    it(`keeps hostile text safe in ${format}`, () => {
      const hostile = makeArticle({
        title: 'R&D <script>alert(1)</script> ]]> end',
        summary: 'Summary with ]]> and \u0001 control and <b>tags</b> & ampersands',
        contentHtml: '<p>one ]]> two ]]> three</p>',
        image: {
          url: 'https://news.example.org/media/x.jpg?size=1&crop=2',
          type: 'image/jpeg',
          length: 10,
        },
      })
      const model = modelOf('site', [hostile])
      const body = RENDERERS[format](model)
      expect(checkOutput(format, body, model)).toEqual([])
      if (format === 'json') {
        // JSON Feed titles are plain text: the reader shows them as written, not as HTML.
        expect(JSON.parse(body).items[0].title).toBe('R&D <script>alert(1)</script> ]]> end')
      } else {
        expect(body).not.toContain('<script>')
        expect(body).toContain('R&amp;D &lt;script&gt;')
      }
    })
  }

  it('takes `updated` from the newest item, or a later deletion, never the clock', () => {
    const model = modelOf('site')
    expect(model.updated.toISOString()).toBe('2026-11-20T06:40:00.000Z')
    const later = modelOf('site', articles, '2026-11-24T00:00:00.000Z')
    expect(later.updated.toISOString()).toBe('2026-11-24T00:00:00.000Z')
    expect(RENDERERS.rss(later)).toContain(
      '<lastBuildDate>Tue, 24 Nov 2026 00:00:00 GMT</lastBuildDate>',
    )
  })

  it('writes JSON Feed 1.1 with authors arrays, language and an id on every item', () => {
    const feed = JSON.parse(RENDERERS.json(modelOf('site')))
    expect(feed.version).toBe('https://jsonfeed.org/version/1.1')
    expect(feed.language).toBe('en')
    for (const item of feed.items) {
      expect(item.id).toMatch(/^tag:news\.example\.org,2026-11-01:articles\//)
      expect(Array.isArray(item.authors)).toBe(true)
      expect(item.author).toBeUndefined()
    }
  })

  it('writes explicit enclosure types, not ones guessed from the extension', () => {
    const article = makeArticle({
      image: { url: 'https://news.example.org/media/photo.jpg', type: 'image/jpeg', length: 1234 },
    })
    const model = modelOf('site', [article])
    expect(RENDERERS.rss(model)).toContain('length="1234" type="image/jpeg"')
    expect(RENDERERS.atom(model)).toContain('type="image/jpeg" length="1234"')
    expect(RENDERERS.atom(model)).not.toContain('image/jpg')
  })

  it('carries every file: one RSS enclosure, all in Atom and JSON, Media RSS for the image', () => {
    const article = makeArticle({
      image: { url: 'https://news.example.org/media/cover.png', type: 'image/png', length: 5_000 },
      enclosures: [
        {
          url: 'https://news.example.org/media/talk.mp3',
          type: 'audio/mpeg',
          length: 9_000_000,
          title: 'Talk',
        },
        {
          url: 'https://news.example.org/media/slides.pdf',
          type: 'application/pdf',
          length: 300_000,
        },
      ],
    })
    const model = modelOf('site', [article])
    const rss = RENDERERS.rss(model)
    expect(rss.match(/<enclosure /g)).toHaveLength(1)
    expect(rss).toContain('url="https://news.example.org/media/talk.mp3"')
    expect(rss).toContain('xmlns:media="http://search.yahoo.com/mrss/"')
    expect(rss).toContain(
      '<media:content url="https://news.example.org/media/cover.png" type="image/png" fileSize="5000" medium="image"/>',
    )
    const atom = RENDERERS.atom(model)
    expect(atom.match(/<link rel="enclosure"/g)).toHaveLength(3)
    expect(atom).toContain(
      'href="https://news.example.org/media/slides.pdf" type="application/pdf" length="300000"',
    )
    expect(atom).toContain('<media:thumbnail url="https://news.example.org/media/cover.png"/>')
    const json = JSON.parse(RENDERERS.json(model))
    expect(json.items[0].attachments.map((a: { mime_type: string }) => a.mime_type)).toEqual([
      'audio/mpeg',
      'application/pdf',
    ])
    for (const format of FORMAT_NAMES)
      expect(checkOutput(format, RENDERERS[format](model), model)).toEqual([])
    const rules = (format: 'rss' | 'atom', body: string) =>
      checkOutput(format, body, model).map((p) => p.rule)
    expect(
      rules('atom', atom.replace(/<link rel="enclosure" href="[^"]*slides[^>]*>/, '')),
    ).toEqual(['media'])
    expect(rules('atom', atom.replace(/<media:content [^>]*>/, ''))).toEqual(['media'])
    expect(rules('rss', rss.replace(' xmlns:media="http://search.yahoo.com/mrss/"', ''))).toEqual([
      'namespaces',
    ])
  })

  it('uses per-format self links', () => {
    const model = modelOf('category:space')
    expect(RENDERERS.rss(model)).toContain(
      'href="https://news.example.org/feeds/categories/space/rss.xml"',
    )
    expect(RENDERERS.atom(model)).toContain(
      'href="https://news.example.org/feeds/categories/space/atom.xml"',
    )
    expect(JSON.parse(RENDERERS.json(model)).feed_url).toBe(
      'https://news.example.org/feeds/categories/space/feed.json',
    )
  })
})

describe('renderers against the formats’ own grammars', () => {
  it('writes Atom that RFC 4287’s RELAX NG grammar accepts, with tombstones and hostile text', async () => {
    const dir = await tempDir()
    try {
      const hostile = makeArticle({
        title: 'R&D <script>alert(1)</script> ]]> end',
        summary: 'Summary with ]]> and <b>tags</b> & ampersands',
        enclosures: [
          { url: 'https://news.example.org/a.mp3?x=1&y=2', type: 'audio/mpeg', length: 1 },
        ],
        image: { url: 'https://news.example.org/x.jpg', type: 'image/jpeg', length: 10 },
      })
      const documents = [
        modelOf('site'),
        modelOf('site', articles, '2026-11-24T00:00:00.000Z'),
        modelOf('site', [hostile]),
        modelOf('site', [], '2026-11-24T00:00:00.000Z'),
      ].map((model, i) => {
        const path = join(dir.path, `${i}.atom.xml`)
        writeFileSync(path, RENDERERS.atom(model))
        return path
      })
      expect(await jingErrors(documents)).toEqual([])
      // The validators are not vacuous: a tombstone after the entries, or a JSON Feed item
      // without an id, is refused.
      const late = join(dir.path, 'late.atom.xml')
      const withTombstone = RENDERERS.atom(modelOf('site', articles, '2026-11-24T00:00:00.000Z'))
      const tombstone = /<at:deleted-entry[^>]*\/>/.exec(withTombstone)![0]
      writeFileSync(
        late,
        withTombstone.replace(tombstone, '').replace('</feed>', `${tombstone}</feed>`),
      )
      expect((await jingErrors([late])).join('\n')).toContain('"at:deleted-entry" not allowed here')
      const noId = JSON.parse(RENDERERS.json(modelOf('site'))) as { items: Array<{ id?: string }> }
      delete noId.items[0]!.id
      expect(jsonFeedErrors(JSON.stringify(noId))).toEqual([
        "/items/0 must have required property 'id'",
      ])
      for (const model of [modelOf('site'), modelOf('site', [hostile])])
        expect(jsonFeedErrors(RENDERERS.json(model))).toEqual([])
    } finally {
      await dir.cleanup()
    }
  })
})
