// Plain text reaches the reader as written: RSS titles, category and author names and channel text
// escaped exactly once (no CDATA around HTML escapes), Atom titles as type="html", JSON as text.
// Each document is read by two independent parsers: fast-xml-parser (our parse-back) and
// @rowanmanning/feed-parser (a feed reader's), or JSON.parse and the JSON Feed digest.
import { parseFeed } from '@rowanmanning/feed-parser'
import { describe, expect, it } from 'vitest'
import { buildCatalog } from '../../src/feeds/catalog.js'
import { digestFeed } from '../../src/feeds/check/index.js'
import { toFeedModel } from '../../src/feeds/model.js'
import { RENDERERS } from '../../src/feeds/render/index.js'
import { parseXml } from '../../src/lib/xml.js'
import { text } from '../../src/lib/xml-tree.js'
import { makeArticle, IDS, SITE } from '../helpers/fixtures.js'

const TITLES = [
  'Salt & pepper: AT&T',
  'Why <b> is not bold here',
  'CDATA ends with ]]> and ]]> again',
  'She said "yes" and \'no\'',
  '東京で日本語の見出し — Ελληνικά — العربية — Кириллица',
]
const CATEGORY = 'Q&A "live" 日本'
const AUTHOR = 'Smith & Wesson <editor> 田中'
const SITE_TEXT = { title: 'Science & Society <weekly>', description: 'News & "views" ]]> 日本' }

const model = toFeedModel({
  site: { ...SITE, ...SITE_TEXT },
  ids: IDS,
  definition: { ...buildCatalog(SITE, [])[0]!, ...SITE_TEXT },
  articles: TITLES.map((title, i) =>
    makeArticle({
      id: `title-${i}`,
      title,
      publishedAt: `2026-11-2${i}T10:00:00Z`,
      categories: [CATEGORY],
      authors: [{ name: AUTHOR, email: 'desk@news.example.org' }],
    }),
  ).reverse(),
})
const expected = [...TITLES].reverse()

// What a reader does with Atom type="html" text: the HTML's character references, decoded once.
const decodeHtml = (html: string): string =>
  html.replace(/&(lt|gt|quot|#39|amp);/g, (_, name: string) =>
    name === 'lt' ? '<' : name === 'gt' ? '>' : name === 'quot' ? '"' : name === '#39' ? "'" : '&',
  )

describe('plain text round-trips through every format and two parsers', () => {
  it('RSS: titles, categories, authors and channel text escaped once, never CDATA', () => {
    const body = RENDERERS.rss(model)
    expect(body).not.toMatch(/<title><!\[CDATA\[/)
    expect(body).toContain('<title>Salt &amp; pepper: AT&amp;T</title>')
    const reader = parseFeed(body)
    expect(reader.items.map((item) => item.title)).toEqual(expected)
    expect(reader.title).toBe(SITE_TEXT.title)
    expect(reader.description).toBe(SITE_TEXT.description)
    expect(reader.items[0]!.categories[0]!.label).toBe(CATEGORY)
    const parsed = parseXml(body, ['item'])
    if ('error' in parsed) throw new Error(parsed.error)
    const channel = (parsed.doc.rss as { channel: Record<string, unknown> }).channel
    const items = channel.item as Array<Record<string, unknown>>
    expect(items.map((item) => text(item.title))).toEqual(expected)
    expect(items.map((item) => text(item.category))).toEqual(expected.map(() => CATEGORY))
    expect(items.map((item) => text(item['dc:creator']))).toEqual(expected.map(() => AUTHOR))
    expect(items.map((item) => text(item.author))).toEqual(
      expected.map(() => `desk@news.example.org (${AUTHOR})`),
    )
    expect([text(channel.title), text(channel.description)]).toEqual([
      SITE_TEXT.title,
      SITE_TEXT.description,
    ])
  })

  it('Atom: titles as type="html" that both parsers read back as the same text', () => {
    const body = RENDERERS.atom(model)
    expect(parseFeed(body).items.map((item) => item.title)).toEqual(expected)
    const digest = digestFeed('atom', body)
    if ('problem' in digest) throw new Error(digest.problem.message)
    expect(digest.digest.items.map((item) => decodeHtml(item.title ?? ''))).toEqual(expected)
    expect(digest.digest.title).toBe(SITE_TEXT.title)
  })

  it('JSON Feed: titles as plain text, read back by JSON.parse and the JSON Feed digest', () => {
    const body = RENDERERS.json(model)
    const feed = JSON.parse(body) as { title: string; items: Array<{ title: string }> }
    expect(feed.items.map((item) => item.title)).toEqual(expected)
    expect(feed.title).toBe(SITE_TEXT.title)
    const digest = digestFeed('json', body)
    if ('problem' in digest) throw new Error(digest.problem.message)
    expect(digest.digest.items.map((item) => item.title)).toEqual(expected)
  })
})
