import { describe, expect, it } from 'vitest'
import { readForeignFeed } from '../../src/import/feed-entries.js'
import { importedId, importFeed, mapFeed } from '../../src/import/import-feed.js'
import { useSqliteStore } from '../helpers/store.js'

const JSON_FEED = JSON.stringify({
  version: 'https://jsonfeed.org/version/1.1',
  title: 'Tortoise Tracker',
  home_page_url: 'https://tortoise.example.com/',
  language: 'en-GB',
  authors: [{ name: 'Field Team' }],
  items: [
    {
      id: 'https://tortoise.example.com/posts/42',
      url: 'https://tortoise.example.com/posts/42',
      title: 'Back on the island',
      content_text: 'They are back.\n\nAfter 200 years.',
      date_published: '2026-11-17T09:30:00+01:00',
      tags: ['Tortoises', 'Islands'],
      attachments: [
        { url: 'https://tortoise.example.com/a.mp4', mime_type: 'video/mp4', size_in_bytes: 12345 },
      ],
    },
    { id: 7, content_html: '<p>No url</p>', date_published: '2026-11-18T00:00:00Z' },
  ],
})

const store = useSqliteStore()

describe('import', () => {
  it('maps a JSON Feed: plain text content, tags, attachments, language and feed authors', () => {
    const { articles, skipped } = mapFeed(readForeignFeed(JSON_FEED))
    expect(skipped).toEqual([{ kind: 'has no absolute link', count: 1, examples: ['#2 7'] }])
    expect(articles[0]).toMatchObject({
      id: 'tortoise-example-com-posts-42',
      contentHtml: '<p>They are back.</p><p>After 200 years.</p>',
      tags: ['Tortoises', 'Islands'],
      authors: [{ name: 'Field Team' }],
      language: 'en-GB',
      publishedAt: '2026-11-17T08:30:00.000Z',
      enclosures: [{ url: 'https://tortoise.example.com/a.mp4', type: 'video/mp4', length: 12345 }],
    })
  })

  it('derives stable, bounded ids from the source ids', () => {
    expect(importedId('tag:deeptime.example.org,2026-11-22:/spikes')).toBe(
      importedId('tag:deeptime.example.org,2026-11-22:/spikes'),
    )
    const long = importedId(`https://example.com/${'segment/'.repeat(40)}`)
    expect(long.length).toBeLessThanOrEqual(100)
    expect(long).toMatch(/^[a-z0-9]+(?:-[a-z0-9]+)*$/)
    expect(importedId(`https://example.com/${'segment/'.repeat(40)}a`)).not.toBe(long)
  })

  it('stores once and leaves unchanged articles untouched on a second import', async () => {
    const feed = readForeignFeed(JSON_FEED)
    expect(await importFeed(store().articles, feed)).toMatchObject({
      created: 1,
      updated: 0,
      unchanged: 0,
    })
    const { marker } = await store().builds.changedSince(0)
    expect(await importFeed(store().articles, feed)).toMatchObject({
      created: 0,
      updated: 0,
      unchanged: 1,
    })
    expect((await store().builds.changedSince(marker)).touched.size).toBe(0)
  })

  it('refuses documents that are not feeds', () => {
    expect(() => readForeignFeed('<html><body>hi</body></html>')).toThrow(
      /not an RSS \(0\.91–2\.0\), Atom \(0\.3, 1\.0\) or JSON Feed \(1\.0, 1\.1\) document/,
    )
    expect(() => readForeignFeed('{"version": ')).toThrow(/not valid JSON/)
  })
})
