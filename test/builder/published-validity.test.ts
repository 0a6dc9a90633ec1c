// Every Atom document and JSON Feed a build publishes, in every state below, is valid against the
// formats' own grammars (RFC 4287 Appendix B with jing; JSON Feed 1.1 with ajv).
import { readFile } from 'node:fs/promises'
import { afterAll, describe, expect, it } from 'vitest'
import { makeArticle } from '../helpers/fixtures.js'
import { useService } from '../helpers/service.js'
import { filesNamed, jingErrors, jsonFeedErrors } from '../helpers/validators.js'

const service = useService(
  // Three items a page and three pages: several pages per feed; archives on.
  { FEED_LIMIT: '3', FEED_PAGES: '3', ARCHIVES: 'true' },
  {
    customFeeds: [
      {
        slug: 'earth',
        title: 'Earth, not ice',
        description: 'Climate and wildlife, without Antarctica',
        include: { categories: ['Climate', 'Wildlife'] },
        exclude: { tags: ['Antarctica'] },
      },
      {
        slug: 'nothing-yet',
        title: 'Nothing yet',
        description: 'A custom feed that selects no article',
        include: { tags: ['No such tag'] },
      },
    ],
  },
)

const checked = { atom: 0, json: 0, states: [] as string[] }

/** Validates every published Atom and JSON Feed file; returns their texts for coverage checks. */
const validateAll = async (state: string): Promise<{ atom: string[]; json: string[] }> => {
  const report = await service().scheduler.rebuild({ full: true })
  expect(report.failures, state).toEqual([])
  const dir = service().config.feedsDir
  const atomFiles = await filesNamed(dir, ['atom.xml'])
  const jsonFiles = await filesNamed(dir, ['feed.json'])
  expect(await jingErrors(atomFiles), `${state}: RFC 4287 grammar`).toEqual([])
  const json = await Promise.all(jsonFiles.map((f) => readFile(f, 'utf8')))
  json.forEach((text, i) => expect(jsonFeedErrors(text), `${state}: ${jsonFiles[i]}`).toEqual([]))
  checked.atom += atomFiles.length
  checked.json += jsonFiles.length
  checked.states.push(state)
  return { atom: await Promise.all(atomFiles.map((f) => readFile(f, 'utf8'))), json }
}

afterAll(() => {
  // The closing note of issue 10 quotes this line.
  console.info(
    `validated ${checked.atom} Atom and ${checked.json} JSON Feed documents in states: ` +
      checked.states.join(', '),
  )
})

describe('every published document is valid against the format grammar', () => {
  it('with several pages, archives, enclosures, Media RSS and custom feeds', async () => {
    await service().store.articles.upsertMany([
      makeArticle({
        id: 'podcast-episode',
        title: 'Episode 1: R&D <b>bold</b> "quoted" ]]> 日本語',
        categories: ['Climate'],
        enclosures: [
          { url: 'https://news.example.org/media/ep1.mp3', type: 'audio/mpeg', length: 1234567 },
          {
            url: 'https://news.example.org/media/ep1.pdf?a=1&b=2',
            type: 'application/pdf',
            length: 999,
            title: 'Transcript & notes',
          },
        ],
      }),
      makeArticle({
        id: 'with-image',
        publishedAt: '2026-10-02T10:00:00Z',
        image: { url: 'https://news.example.org/media/x.png', type: 'image/png', length: 10 },
      }),
    ])
    const { atom } = await validateAll('pages, archives, enclosures, Media RSS, custom feeds')
    const all = atom.join('\n')
    expect(all).toContain('rel="enclosure"')
    expect(all).toContain('<media:content')
    expect(all).toContain('<fh:archive/>')
    expect(all).toContain('rel="next"')
    expect(all).toContain('<title>Earth, not ice</title>')
  })

  it('with tombstones in site, category, tag, author, custom, page and archive documents', async () => {
    const { store } = service()
    for (const id of ['podcast-episode', 'blood-falls-antarctica', 'giant-tortoise-reintroduced'])
      expect(await store.articles.delete(id, new Date('2026-11-28T12:00:00Z'))).toBe(true)
    const { atom } = await validateAll('tombstones')
    const withTombstones = atom.filter((doc) => doc.includes('<at:deleted-entry'))
    // the site, its pages, the facets that still have articles, the custom feed, archive months
    expect(withTombstones.length).toBeGreaterThanOrEqual(5)
    expect(withTombstones.some((doc) => doc.includes('<fh:archive/>'))).toBe(true)
  })

  it('with every article deleted: empty feeds with and without tombstones', async () => {
    const { store } = service()
    for (const article of await store.articles.newestFor({ kind: 'site' }, 1000))
      await store.articles.delete(article.id, new Date('2026-11-29T12:00:00Z'))
    const { atom } = await validateAll('empty')
    expect(atom.some((doc) => !doc.includes('<entry>'))).toBe(true)
  })
})
