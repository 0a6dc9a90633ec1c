// Producing one document: bytes identical to a version served (and checked) skip the check.
import { describe, expect, it } from 'vitest'
import {
  type OutputWithBytes,
  produceDocument,
  type ProducedDocument,
  type ProduceInput,
} from '../../src/builder/produce.js'
import { buildCatalog } from '../../src/feeds/catalog.js'
import { type FeedModel, toFeedModel } from '../../src/feeds/model.js'
import { RENDERERS } from '../../src/feeds/render/index.js'
import { strongEtag } from '../../src/lib/hash.js'
import { compressSync } from '../../src/publish/encodings.js'
import { IDS, makeArticle, SITE } from '../helpers/fixtures.js'

const [siteFeed] = buildCatalog(SITE, [])
// An RSS renderer that misspells the title: its bytes fail the check (feed-title), with or without
// items, so no item can be blamed for it.
const misspelt = {
  ...RENDERERS,
  rss: (m: FeedModel) => RENDERERS.rss({ ...m, title: `${m.title} (misspelt)` }),
}
const input = (served?: Record<string, string>): ProduceInput => ({
  modelBase: { site: SITE },
  ids: IDS,
  definition: siteFeed!,
  planned: {
    key: 'site',
    document: { path: '', links: [], archive: false },
    articles: [makeArticle({ id: 'one' })],
    deletions: [],
    bytes: 0,
  },
  renderers: misspelt,
  ...(served && { served }),
})

/** The ETag of the misspelt RSS of the input's one article. */
const misspeltRssEtag = () =>
  strongEtag(
    misspelt.rss(
      toFeedModel({
        site: SITE,
        ids: IDS,
        definition: siteFeed!,
        articles: [makeArticle({ id: 'one' })],
        deletions: [],
      }),
    ),
  )

const rssOf = (produced: ProducedDocument) =>
  produced.formats.find((f) => ('output' in f ? f.output.urlPath : f.urlPath) === '/feeds/rss.xml')!

describe('produceDocument', () => {
  it('checks bytes that differ from the version served', async () => {
    const produced = await produceDocument(input({ '/feeds/rss.xml': '"not-these-bytes"' }))
    const rss = rssOf(produced)
    expect('problems' in rss && rss.problems.map((p) => p.rule)).toContain('feed-title')
  })

  it('does not check again bytes identical to the version served, which passed when published', async () => {
    const first = await produceDocument(input())
    const rss = rssOf(first)
    // The check fails these bytes; a version served with them would have passed it (say, before a
    // rule changed): the same bytes are then not checked again, and stay what they are.
    expect('problems' in rss).toBe(true)
    const etag = misspeltRssEtag()
    const again = await produceDocument(input({ '/feeds/rss.xml': etag }))
    expect(again.formats.map((f) => 'output' in f)).toEqual([true, true, true])
    expect(rssOf(again)).toMatchObject({ output: { etag } })
    expect(again.timings.checkMs).toBeGreaterThan(0) // atom and json were checked
  })

  it('finishes each output as it is encoded, and never makes the bytes of one served', async () => {
    const plain = { ...input(), renderers: RENDERERS }
    const first = await produceDocument(plain)
    const etags = Object.fromEntries(
      [...first.formats.map((f) => ('output' in f ? f.output : undefined)), first.page].map((o) => [
        o!.urlPath,
        o!.etag,
      ]),
    )
    const finished: string[] = []
    const finish = (output: OutputWithBytes) => {
      finished.push(`${output.urlPath} ${output.body.byteLength > 0}`)
      return { ...output, encoded: compressSync(output.body) }
    }
    const made = await produceDocument({ ...plain, finish })
    expect(finished).toEqual([
      '/feeds/rss.xml true',
      '/feeds/atom.xml true',
      '/feeds/feed.json true',
      '/feeds/ true',
    ])
    expect(made.page).toHaveProperty('encoded')
    // Served as they are: nothing to finish, and no bytes made for them.
    finished.length = 0
    const again = await produceDocument({ ...plain, served: etags, finish })
    expect(finished).toEqual([])
    const outputs = [...again.formats.map((f) => ('output' in f ? f.output : f)), again.page]
    for (const output of outputs) {
      expect(output).toMatchObject({ served: true })
      expect(output).not.toHaveProperty('body')
    }
  })

  it('checks bytes an earlier run served (not this builder), though it does not make them again', async () => {
    const etag = misspeltRssEtag()
    const again = await produceDocument({ ...input(), servedUnchecked: { '/feeds/rss.xml': etag } })
    const rss = rssOf(again)
    expect('problems' in rss && rss.problems.map((p) => p.rule)).toContain('feed-title')
  })
})
