// Accepted means publishable: whatever the schema accepts (API, CLI and import all go through it)
// renders and passes the parse-back check in every format, in every feed it lands in; whatever it
// refuses is refused naming the field and the rule.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { parseArticle } from '../../src/articles/schema.js'
import { buildCatalog } from '../../src/feeds/catalog.js'
import { checkOutput } from '../../src/feeds/check/index.js'
import { FORMAT_NAMES } from '../../src/feeds/formats.js'
import { archiveDocuments } from '../../src/feeds/history.js'
import { toFeedModel } from '../../src/feeds/model.js'
import { renderFeedPage } from '../../src/feeds/render/feed-page.js'
import { RENDERERS } from '../../src/feeds/render/index.js'
import { ValidationError } from '../../src/lib/errors.js'
import { LABEL_SLUG_PATTERN, slugify } from '../../src/lib/slug.js'
import { articleFacets, monthOf } from '../../src/store/store.js'
import { articleInput, propertyRuns } from '../helpers/arbitraries.js'
import { IDS, makeArticle, SITE } from '../helpers/fixtures.js'

// A neighbour in every document, so items are checked beside others and not only alone.
const neighbour = makeArticle({ id: 'neighbour', publishedAt: '2026-01-01T00:00:00Z' })

// Every refusal names one of these fields (or a path inside one).
const FIELDS = ['id', 'title', 'summary', 'contentHtml', 'url', 'authors', 'publishedAt'].concat([
  'updatedAt',
  'categories',
  'tags',
  'image',
  'enclosures',
  'related',
  'language',
  'status',
])

describe('accepted means publishable', () => {
  it('renders and passes the check in every format and feed, or is refused naming field and rule', () => {
    let accepted = 0
    fc.assert(
      fc.property(articleInput, (input) => {
        let article
        try {
          article = parseArticle(input)
        } catch (error) {
          if (!(error instanceof ValidationError)) throw error
          expect(error.issues.length).toBeGreaterThan(0)
          for (const issue of error.issues) {
            expect(FIELDS).toContain(issue.path.split('.')[0])
            expect(issue.message).toMatch(/\w/)
          }
          return
        }
        accepted += 1
        const facets = articleFacets(article).map((facet) => ({ ...facet, count: 1 }))
        for (const facet of facets) {
          // Every feed path segment is a slug that can be a URL segment and a file name.
          expect(facet.slug).toMatch(LABEL_SLUG_PATTERN)
          expect(Buffer.byteLength(facet.slug)).toBeLessThanOrEqual(255)
          expect(slugify(facet.label)).toBe(facet.slug)
        }
        const articles = [article, neighbour].sort((a, b) =>
          a.publishedAt < b.publishedAt ? 1 : -1,
        )
        const catalog = buildCatalog(SITE, facets)
        // Every feed it lands in, and the site's archive month that holds it (RFC 5005 links).
        const [month] = archiveDocuments('', [monthOf(article.publishedAt), '2026-01'])
        const documents = [
          ...catalog.map((definition) => ({ definition, document: undefined })),
          { definition: catalog[0]!, document: month },
        ]
        for (const { definition, document } of documents) {
          const model = toFeedModel({
            site: SITE,
            ids: IDS,
            definition,
            articles,
            ...(document && { document }),
          })
          for (const format of FORMAT_NAMES) {
            const body = RENDERERS[format](model)
            expect(checkOutput(format, body, model), `${model.path} ${format}`).toEqual([])
          }
          expect(renderFeedPage(model)).toContain('<!doctype html>')
        }
      }),
      propertyRuns(300),
    )
    // The arbitrary must reach the interesting side, not only refusals.
    expect(accepted).toBeGreaterThan(10)
  })
})
