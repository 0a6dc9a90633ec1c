// Link posts and short posts: each format gets what it requires from an article with no body or no
// title, and passes its own parse-back check.
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { XMLParser } from 'fast-xml-parser'
import { describe, expect, it } from 'vitest'
import { headlineOf } from '../../src/articles/headline.js'
import { parseArticle } from '../../src/articles/schema.js'
import { buildCatalog } from '../../src/feeds/catalog.js'
import { checkOutput } from '../../src/feeds/check/index.js'
import { FORMAT_NAMES } from '../../src/feeds/formats.js'
import { toFeedModel } from '../../src/feeds/model.js'
import { renderFeedPage } from '../../src/feeds/render/feed-page.js'
import { renderIndexPage } from '../../src/feeds/render/index-page.js'
import { RENDERERS } from '../../src/feeds/render/index.js'
import { ValidationError } from '../../src/lib/errors.js'
import { IDS, SITE, tempDir } from '../helpers/fixtures.js'
import { jingErrors, jsonFeedErrors } from '../helpers/validators.js'

const BASE = {
  id: 'short',
  url: 'https://elsewhere.example.net/story',
  authors: [{ name: 'Ada' }],
  publishedAt: '2026-11-21T10:00:00Z',
}

const SHAPES = {
  'title-only': { title: 'Worth reading: a story elsewhere' },
  'body-only': { contentHtml: '<p>Just a thought, <em>no title</em>.</p>' },
  'link-only': { title: 'A link with a comment', summary: 'Why it is worth reading.' },
} as const

const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@' })

const render = (shape: keyof typeof SHAPES) => {
  const article = parseArticle({ ...BASE, ...SHAPES[shape] })
  const model = toFeedModel({
    site: SITE,
    ids: IDS,
    definition: buildCatalog(SITE, [])[0]!,
    articles: [article],
  })
  return Object.fromEntries(
    FORMAT_NAMES.map((format) => {
      const body = RENDERERS[format](model)
      return [format, { body, problems: checkOutput(format, body, model) }]
    }),
  ) as Record<(typeof FORMAT_NAMES)[number], { body: string; problems: unknown[] }>
}

type Json = Record<string, unknown>
const rssItem = (body: string): Json =>
  (parser.parse(body) as Json & { rss: { channel: { item: Json } } }).rss.channel.item
const atomEntry = (body: string): Json =>
  (parser.parse(body) as { feed: { entry: Json } }).feed.entry
const jsonItem = (body: string): Json => (JSON.parse(body) as { items: Json[] }).items[0]!

describe('short posts and link posts', () => {
  for (const shape of Object.keys(SHAPES) as Array<keyof typeof SHAPES>) {
    it(`renders a ${shape} article in every format, passing the parse-back check`, () => {
      const out = render(shape)
      for (const format of FORMAT_NAMES) expect(out[format].problems, format).toEqual([])
    })
  }

  it('gives RSS a title or a description, never an empty one', () => {
    const titleOnly = rssItem(render('title-only').rss.body)
    expect(titleOnly.title).toBe('Worth reading: a story elsewhere')
    expect(titleOnly).not.toHaveProperty('description')
    expect(titleOnly).not.toHaveProperty('content:encoded')
    const bodyOnly = rssItem(render('body-only').rss.body)
    expect(bodyOnly).not.toHaveProperty('title')
    expect(bodyOnly.description).toBe('<p>Just a thought, <em>no title</em>.</p>')
    expect(bodyOnly).not.toHaveProperty('content:encoded')
    const link = rssItem(render('link-only').rss.body)
    expect(link).toMatchObject({
      title: 'A link with a comment',
      description: 'Why it is worth reading.',
    })
    expect(link.link).toBe(BASE.url)
  })

  it('gives Atom a title element and content or an alternate link', () => {
    const titleOnly = atomEntry(render('title-only').atom.body)
    expect(titleOnly).not.toHaveProperty('content')
    expect(titleOnly).not.toHaveProperty('summary')
    expect(titleOnly.link).toMatchObject({ '@href': BASE.url })
    const bodyOnly = atomEntry(render('body-only').atom.body)
    expect(bodyOnly).toHaveProperty('title')
    expect((bodyOnly.content as Json)['#text']).toContain('Just a thought')
    const link = atomEntry(render('link-only').atom.body)
    expect((link.summary as Json)['#text']).toBe('Why it is worth reading.')
  })

  it('gives JSON Feed content_html or content_text', () => {
    const titleOnly = jsonItem(render('title-only').json.body)
    expect(titleOnly).toMatchObject({
      title: SHAPES['title-only'].title,
      content_text: SHAPES['title-only'].title,
    })
    expect(titleOnly).not.toHaveProperty('content_html')
    const bodyOnly = jsonItem(render('body-only').json.body)
    expect(bodyOnly).not.toHaveProperty('title')
    expect(bodyOnly.content_html).toBe(SHAPES['body-only'].contentHtml)
    const link = jsonItem(render('link-only').json.body)
    expect(link).toMatchObject({
      title: 'A link with a comment',
      content_text: 'Why it is worth reading.',
    })
    expect(link).not.toHaveProperty('summary')
  })

  it('refuses an article with neither a title nor a body, naming title', () => {
    expect(() => parseArticle(BASE)).toThrow(ValidationError)
    try {
      parseArticle(BASE)
    } catch (error) {
      expect((error as ValidationError).issues).toEqual([
        { path: 'title', message: 'an article needs a title or a body (summary or contentHtml)' },
      ])
    }
  })
})

describe('short posts on the pages for people', () => {
  it('shows the first words of the body where a post has no title', () => {
    const article = parseArticle({ ...BASE, ...SHAPES['body-only'] })
    const definition = buildCatalog(SITE, [])[0]!
    const model = toFeedModel({ site: SITE, ids: IDS, definition, articles: [article] })
    expect(renderFeedPage(model)).toContain('>Just a thought, no title.</a>')
    const index = renderIndexPage({ site: SITE, catalog: [definition], latest: [article] })
    expect(index).toContain('>Just a thought, no title.</a>')
    expect(headlineOf({ url: 'https://x.example/a', contentHtml: '<p> </p>' })).toBe(
      'https://x.example/a',
    )
  })
})

describe('short posts against the formats’ own grammars', () => {
  it('gives Atom that RFC 4287’s RELAX NG grammar accepts and JSON the JSON Feed schema accepts', async () => {
    const dir = await tempDir()
    try {
      const files: string[] = []
      for (const shape of Object.keys(SHAPES) as Array<keyof typeof SHAPES>) {
        const out = render(shape)
        expect(jsonFeedErrors(out.json.body), shape).toEqual([])
        const file = join(dir.path, `${shape}.atom.xml`)
        await writeFile(file, out.atom.body)
        files.push(file)
      }
      expect(await jingErrors(files)).toEqual([])
    } finally {
      await dir.cleanup()
    }
  })
})
