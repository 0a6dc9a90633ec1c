// The import corpus: one feed per format and version, non-UTF-8 encodings, xhtml content, a podcast
// and headlines; each maps to its expected articles, with every loss counted and named.
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { Article } from '../../src/articles/schema.js'
import { buildCatalog } from '../../src/feeds/catalog.js'
import { checkOutput } from '../../src/feeds/check/index.js'
import { FORMAT_NAMES } from '../../src/feeds/formats.js'
import { toFeedModel } from '../../src/feeds/model.js'
import { RENDERERS } from '../../src/feeds/render/index.js'
import { importFeed, mapFeed } from '../../src/import/import-feed.js'
import { openPostgresStore } from '../../src/store/postgres.js'
import { IDS, SITE } from '../helpers/fixtures.js'
import {
  CORPUS,
  CORPUS_IMPORTED_AT as IMPORTED_AT,
  mapCorpusFeed,
  readCorpusFeed as read,
} from '../helpers/import-corpus.js'
import {
  dropSchema,
  newSchema,
  postgresUnavailable,
  TEST_DATABASE_URL,
} from '../helpers/postgres.js'
import { useSqliteStore } from '../helpers/store.js'

interface Expected {
  version: string
  encoding: string
  items: number
  imported: number
  skipped: Array<{ kind: string; count: number }>
  lost: Array<{ kind: string; count: number }>
  notes: Array<{ kind: string; count: number }>
  articles: Article[]
}

const FEEDS = readdirSync(join(CORPUS, 'expected')).map((name) => {
  const base = name.replace(/\.json$/, '')
  const file = readdirSync(CORPUS).find((f) => f === `${base}.xml` || f === `${base}.json`)!
  return {
    file,
    expected: JSON.parse(readFileSync(join(CORPUS, 'expected', name), 'utf8')) as Expected,
  }
})

const store = useSqliteStore()

describe('import corpus', () => {
  it('covers every format, version and encoding the import reads', () => {
    const versions = new Set(FEEDS.map((f) => f.expected.version))
    for (const v of [
      'RSS 0.91',
      'RSS 0.92',
      'RSS 1.0',
      'RSS 2.0',
      'Atom 0.3',
      'Atom 1.0',
      'JSON Feed 1.0',
      'JSON Feed 1.1',
    ])
      expect(versions, v).toContain(v)
    const encodings = new Set(FEEDS.map((f) => f.expected.encoding))
    for (const e of ['windows-1251', 'euc-kr', 'windows-1252']) expect(encodings).toContain(e)
  })

  for (const { file, expected } of FEEDS) {
    it(`maps ${file} to its expected articles, naming every loss`, () => {
      const { articles, ...mapped } = mapCorpusFeed(file)
      const { articles: _articles, ...summary } = expected
      expect(mapped).toEqual(summary)
      expect(articles).toEqual(expected.articles)
      // Nothing decoded into replacement characters.
      expect(JSON.stringify(articles)).not.toContain('\uFFFD')
    })

    it(`stores ${file} in a real SQLite store, idempotently, as publishable feeds`, async () => {
      const { feed } = read(file)
      const first = await importFeed(store().articles, feed, { importedAt: IMPORTED_AT })
      expect(first).toMatchObject({ created: expected.imported, updated: 0 })
      const again = await importFeed(store().articles, feed, { importedAt: IMPORTED_AT })
      expect(again).toMatchObject({ created: 0, updated: 0, unchanged: expected.imported })
      for (const article of expected.articles)
        expect(await store().articles.get(article.id)).toEqual(article)
      const articles = [...expected.articles].sort((a, b) =>
        a.publishedAt < b.publishedAt ? 1 : -1,
      )
      const model = toFeedModel({
        site: SITE,
        ids: IDS,
        definition: buildCatalog(SITE, [])[0]!,
        articles,
      })
      for (const format of FORMAT_NAMES)
        expect(
          checkOutput(format, RENDERERS[format](model), model),
          `${file} as ${format}`,
        ).toEqual([])
    })
  }

  it('keeps escaped markup escaped: no entity is decoded twice', () => {
    const xhtml = mapFeed(read('atom-xhtml.xml').feed, IMPORTED_AT).articles[0]!
    expect(xhtml.contentHtml).toContain('<code>&lt;figure&gt;</code>')
    expect(xhtml.title).toBe('Why <figure> beats div soup')
    const rss = mapFeed(read('rss-092.xml').feed, IMPORTED_AT).articles[0]!
    expect(rss.contentHtml).toContain('write &lt;timing&gt; in a log')
  })

  it('reads windows-1251 and EUC-KR by their XML declarations', () => {
    expect(mapFeed(read('windows-1251-rss.xml').feed, IMPORTED_AT).articles[0]!.title).toBe(
      '«Луна-26» вышла на орбиту',
    )
    expect(mapFeed(read('euc-kr-rss.xml').feed, IMPORTED_AT).articles[0]!.title).toBe(
      '누리호 다섯 번째 발사 성공',
    )
  })
})

describe.skipIf(postgresUnavailable !== undefined)('import corpus into PostgreSQL', () => {
  it('stores every corpus feed as expected, idempotently, in batches', async () => {
    const schema = newSchema()
    const pgStore = await openPostgresStore({ connectionString: TEST_DATABASE_URL, schema })
    try {
      for (const { file, expected } of FEEDS) {
        const { feed } = read(file)
        const report = await importFeed(pgStore.articles, feed, { importedAt: IMPORTED_AT })
        expect(report.created + report.updated + report.unchanged, file).toBe(expected.imported)
        expect(
          (await importFeed(pgStore.articles, feed, { importedAt: IMPORTED_AT })).unchanged,
          file,
        ).toBe(expected.imported)
        for (const article of expected.articles)
          expect(await pgStore.articles.get(article.id), file).toEqual(article)
      }
    } finally {
      await pgStore.close()
      await dropSchema(schema)
    }
  })
})
