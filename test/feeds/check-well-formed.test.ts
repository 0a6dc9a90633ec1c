import { XMLParser } from 'fast-xml-parser'
import { beforeAll, describe, expect, it } from 'vitest'
import { buildCatalog } from '../../src/feeds/catalog.js'
import { checkDocument, checkOutput } from '../../src/feeds/check/index.js'
import { type FeedModel, toFeedModel } from '../../src/feeds/model.js'
import { RENDERERS } from '../../src/feeds/render/index.js'
import { readStrictXml } from '../../src/feeds/check/strict-xml.js'
import { fixtureArticles, IDS, SITE } from '../helpers/fixtures.js'

let model: FeedModel
let rss: string
let atom: string

beforeAll(async () => {
  const articles = (await fixtureArticles()).sort((a, b) =>
    a.publishedAt < b.publishedAt ? 1 : -1,
  )
  const [site] = buildCatalog(SITE, [])
  model = toFeedModel({ site: SITE, ids: IDS, definition: site!, articles })
  rss = RENDERERS.rss(model)
  atom = RENDERERS.atom(model)
})

/** The problems of a hand-broken copy of the good RSS document, as a build would see them. */
const problemsOf = (breakIt: (body: string) => string) => {
  const broken = breakIt(rss)
  expect(broken).not.toBe(rss)
  return checkOutput('rss', broken, model)
}

const TITLE = '<title>Example Science</title>'

// One per kind of well-formedness error (XML 1.0 §2–4): each stops the document with the line it
// was found on, before any rule reads it.
const MALFORMED: Array<[string, (body: string) => string, RegExp]> = [
  ['an unclosed element', (b) => b.replace('</channel>', ''), /<\/rss> where <\/channel> belongs/],
  [
    'a mismatched end tag',
    (b) => b.replace('</title>', '</titel>'),
    /<\/titel> where <\/title> belongs/,
  ],
  [
    'an unquoted attribute value',
    (b) => b.replace('version="2.0"', 'version=2.0'),
    /malformed attribute/,
  ],
  ['an attribute without a value', (b) => b.replace('<rss ', '<rss hidden '), /attribute/],
  [
    'a repeated attribute',
    (b) => b.replace('<rss ', '<rss version="2.0" '),
    /"version" appears twice/,
  ],
  [
    'a < in an attribute value',
    (b) => b.replace('version="2.0"', 'version="<2"'),
    /malformed attribute/,
  ],
  ['an undeclared entity', (b) => b.replace(TITLE, '<title>A&nbsp;B</title>'), /undefined entity/],
  ['a bare ampersand', (b) => b.replace(TITLE, '<title>A & B</title>'), /./],
  [
    'a character reference to a non-character',
    (b) => b.replace(TITLE, '<title>&#1;</title>'),
    /refers to no XML character/,
  ],
  ['text after the root', (b) => `${b}trailing`, /text after the root/],
  ['a second root element', (b) => `${b}<rss/>`, /second root/],
  [
    'an element name that is not a Name',
    (b) => b.replace('<title>', '<1title>'),
    /malformed start tag/,
  ],
  [
    'an unclosed CDATA section',
    (b) => b.replace(/\]\]><\/content:encoded>/, '</content:encoded>'),
    /./,
  ],
  ['-- inside a comment', (b) => b.replace('<channel>', '<channel><!-- a -- b -->'), /comment/],
  ['an XML declaration after the start', (b) => ` ${b}`, /XML declaration/],
  ['"]]>" in text', (b) => b.replace(TITLE, '<title>a ]]> b</title>'), /\]\]>/],
  ['an empty document', () => '', /root element/],
]

describe('parse-back check: well-formedness in one strict pass', () => {
  for (const [kind, breakIt, reason] of MALFORMED) {
    it(`refuses ${kind}, naming the line`, () => {
      const problems = problemsOf(breakIt)
      expect(problems).toEqual([{ rule: 'well-formed', message: expect.stringMatching(reason) }])
      expect(problems[0]!.message).toMatch(/^not well-formed XML at line \d+, column \d+: /)
    })
  }

  it('refuses a DTD internal subset, and reads <!ENTITY inside CDATA as text', () => {
    const dtd = rss.replace('<rss ', '<!DOCTYPE rss [<!ENTITY a "aaaa">]>\n<rss ')
    expect(checkOutput('rss', dtd, model)).toEqual([
      { rule: 'well-formed', message: expect.stringContaining('DTD internal subset') },
    ])
    const cdata = rss.replace('<p>Pakistan', '<p><!ENTITY x "y"> Pakistan')
    expect(cdata).not.toBe(rss)
    expect(checkOutput('rss', cdata, model)).toEqual([])
  })

  it('reads every predefined entity and character reference as its character', () => {
    const body = rss.replace(TITLE, '<title>&lt;&gt;&amp;&apos;&quot;&#233;&#xE9;</title>')
    const title = checkDocument(body)
    expect(title.problems).toEqual([])
    const read = readStrictXml(body, new Set())
    expect('doc' in read && JSON.stringify(read.doc)).toContain('<>&\'\\"éé')
  })

  it('names control characters as control characters wherever they are, not as XML errors', () => {
    for (const [where, breakIt] of [
      ['text', (b: string) => b.replace('<p>Pakistan', '<p>\u0001Pakistan')],
      ['an attribute', (b: string) => b.replace('version="2.0"', 'version="2.0\u0008"')],
      ['a comment', (b: string) => b.replace('<channel>', '<channel><!-- \u001F -->')],
      ['the prolog', (b: string) => b.replace('<rss ', '<!-- \uFFFF -->\n<rss ')],
    ] as const) {
      const rules = problemsOf(breakIt).map((p) => p.rule)
      expect(rules, where).toContain('control-characters')
      expect(rules, where).not.toContain('well-formed')
    }
  })

  it('builds the tree fast-xml-parser built, so the digest reads what it read', () => {
    const arrays = ['item', 'entry', 'link', 'atom:link', 'author', 'category', 'enclosure']
    const parser = new XMLParser({
      ignoreAttributes: false,
      attributeNamePrefix: '@',
      parseTagValue: false,
      parseAttributeValue: false,
      trimValues: true,
      processEntities: true,
      htmlEntities: false,
      isArray: (name) => arrays.includes(name),
    })
    for (const body of [rss, atom]) {
      const { '?xml': declaration, ...expected } = parser.parse(body) as Record<string, unknown>
      expect(declaration).toBeDefined()
      const read = readStrictXml(body, new Set(arrays))
      expect('doc' in read && read.doc).toEqual(expected)
    }
  })

  it('notes prefixes used and declared, and the root children in order, in the same pass', () => {
    const read = readStrictXml(atom, new Set())
    if (!('doc' in read)) throw new Error(read.error)
    expect(read.prefixesDeclared.sort()).toEqual(['media'])
    expect(read.prefixesUsed.sort()).toEqual(['media'])
    expect(read.rootChildren.slice(0, 3)).toEqual(['id', 'title', 'updated'])
    expect(read.rootChildren.filter((n) => n === 'entry')).toHaveLength(model.items.length)
  })
})

describe('parse-back check: names that are also JavaScript property names', () => {
  it('reads __proto__ and constructor as names, and refuses &constructor; as undeclared', () => {
    const body = rss.replace(
      TITLE,
      `${TITLE}<__proto__ __proto__="1"><constructor>x</constructor></__proto__>`,
    )
    const read = readStrictXml(body, new Set())
    if (!('doc' in read)) throw new Error(read.error)
    const channel = (read.doc.rss as Record<string, Record<string, unknown>>).channel!
    expect(Object.getPrototypeOf(channel)).toBe(Object.prototype)
    expect(channel.__proto__).toEqual({ '@__proto__': '1', constructor: 'x' })
    expect(problemsOf((b) => b.replace(TITLE, '<title>&constructor;</title>'))).toEqual([
      { rule: 'well-formed', message: expect.stringContaining('undefined entity') },
    ])
  })
})
