import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import * as v from 'valibot'
import { beforeAll, describe, expect, it } from 'vitest'
import { buildCatalog } from '../../src/feeds/catalog.js'
import { checkOutput } from '../../src/feeds/check/index.js'
import { fitsJsonFeed } from '../../src/feeds/check/json-guard.js'
import { JsonFeedSchema } from '../../src/feeds/check/json-schema.js'
import { type FeedModel, toFeedModel } from '../../src/feeds/model.js'
import { RENDERERS } from '../../src/feeds/render/index.js'
import { fixtureArticles, IDS, SITE } from '../helpers/fixtures.js'

let model: FeedModel
let good: Record<string, unknown>

beforeAll(async () => {
  const articles = (await fixtureArticles()).sort((a, b) =>
    a.publishedAt < b.publishedAt ? 1 : -1,
  )
  const [site] = buildCatalog(SITE, [])
  model = toFeedModel({
    site: SITE,
    ids: IDS,
    definition: site!,
    articles,
    hub: 'https://hub.example.org/',
  })
  good = JSON.parse(RENDERERS.json(model)) as Record<string, unknown>
})

// Values a member can take that JSON can write: each of the schema's types, and wrong ones.
const REPLACEMENTS: unknown[] = [
  undefined,
  null,
  0,
  1.5,
  '',
  'x',
  'https://jsonfeed.org/version/1.1',
  true,
  [],
  {},
  [{}],
  [''],
  [{ url: 'u', mime_type: 't' }],
  [{ type: 't', url: 'u' }],
]

/** Every path to a member of `value` (into the first element of each list), the root included. */
const pathsOf = (
  value: unknown,
  path: Array<string | number> = [],
): Array<Array<string | number>> => {
  if (Array.isArray(value))
    return [path, ...(value.length > 0 ? pathsOf(value[0], [...path, 0]) : [])]
  if (value !== null && typeof value === 'object')
    return [
      path,
      ...Object.keys(value).flatMap((key) => pathsOf((value as never)[key], [...path, key])),
    ]
  return [path]
}

/** A deep copy of `doc` with the member at `path` replaced (undefined: removed). */
const replaced = (doc: unknown, path: Array<string | number>, value: unknown): unknown => {
  if (path.length === 0) return value
  const copy = structuredClone(doc) as Record<string | number, unknown>
  let parent = copy
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>
  const last = path[path.length - 1]!
  if (value === undefined && !Array.isArray(parent)) delete parent[last]
  else parent[last] = value
  return copy
}

describe('JSON Feed guard: the schema, in plain code', () => {
  it('takes our documents and the JSON Feed 1.1 fixture without asking the schema', () => {
    expect(fitsJsonFeed(good)).toBe(true)
    const fixture = readFileSync(resolve('fixtures/import/jsonfeed-11.json'), 'utf8')
    expect(fitsJsonFeed(JSON.parse(fixture))).toBe(
      v.safeParse(JsonFeedSchema, JSON.parse(fixture)).success,
    )
  })

  it('never takes a document the schema refuses: every member replaced by every kind of value', () => {
    // Every member the schema knows, present with a valid value, so each can be broken in turn.
    const base = structuredClone(good) as Record<string, unknown>
    const items = base.items as Array<Record<string, unknown>>
    Object.assign(base, {
      hubs: [{ type: 'WebSub', url: 'https://hub.example.org/' }],
      authors: [{ name: 'A', url: 'https://a.example/', avatar: 'https://a.example/a.png' }],
      expired: false,
      icon: 'https://news.example.org/icon.png',
      favicon: 'https://news.example.org/favicon.ico',
      next_url: 'https://news.example.org/feeds/2/feed.json',
    })
    Object.assign(items[0]!, {
      authors: [{ name: 'B' }],
      tags: ['t'],
      attachments: [
        {
          url: 'https://x.example/a.mp3',
          mime_type: 'audio/mpeg',
          title: 'a',
          size_in_bytes: 1,
          duration_in_seconds: 2,
        },
      ],
      external_url: 'https://x.example/',
      banner_image: 'https://x.example/b.png',
      content_text: 'text',
    })
    expect(v.safeParse(JsonFeedSchema, base).success).toBe(true)
    expect(fitsJsonFeed(base)).toBe(true)
    let tried = 0
    let refused = 0
    for (const path of pathsOf(base)) {
      for (const value of REPLACEMENTS) {
        const doc = replaced(base, path, value)
        const schema = v.safeParse(JsonFeedSchema, doc).success
        if (!schema) refused += 1
        if (fitsJsonFeed(doc))
          expect(schema, `${path.join('.')} = ${JSON.stringify(value)}`).toBe(true)
        tried += 1
      }
    }
    expect(tried).toBeGreaterThan(500)
    expect(refused).toBeGreaterThan(100)
  })

  it('leaves the messages to the schema: a refused document names the member', () => {
    const body = RENDERERS.json(model).replace(/"id": "[^"]*",/, '"id": 7,')
    expect(checkOutput('json', body, model)).toEqual([
      { rule: 'json-feed-schema', message: expect.stringMatching(/^items\.0\.id: /) },
    ])
  })
})
