// The import's two streamed readings: records cut the same wherever chunks end, a document refused
// whole before anything is written, and a file that changes between the readings refused.
import { readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { entriesOf, openForeignFeed, readForeignFeed } from '../../src/import/feed-entries.js'
import { decodeFeed } from '../../src/import/decode.js'
import { importFeed } from '../../src/import/import-feed.js'
import { checkDocument, cutRecords } from '../../src/import/records.js'
import { bytesSource, fileSource } from '../../src/import/source.js'
import { openSqliteStore } from '../../src/store/sqlite.js'
import type { Store } from '../../src/store/store.js'
import { tempDir } from '../helpers/fixtures.js'

const CORPUS = resolve(import.meta.dirname, '../../fixtures/import')

const rss = (items: string[]) =>
  '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel><title>T</title>' +
  `<link>https://x.example/</link>\n${items.join('\n')}\n</channel></rss>\n`
const item = (n: number, extra = '') =>
  `<item><title>Item ${n}</title><link>https://x.example/${n}</link>${extra}</item>`

let dir: Awaited<ReturnType<typeof tempDir>>
let store: Store
beforeEach(async () => {
  dir = await tempDir()
  store = openSqliteStore(join(dir.path, 'store.db'))
})
afterEach(async () => {
  await store.close()
  await dir.cleanup()
})

describe('import readings', () => {
  it('cuts the same records wherever the text is split, never inside CDATA or comments', () => {
    const doc = rss([
      item(1, '<description><![CDATA[an <item> in text, and </item> too]]></description>'),
      '<!-- <item><title>commented out</title></item> -->',
      item(2, '<?pi <item> ?>'),
      '<item/>',
      item(3),
    ])
    const whole = [...cutRecords([doc], 'item')]
    expect(whole.filter((p) => 'record' in p)).toHaveLength(4)
    for (let at = 0; at <= doc.length; at += 1) {
      const split = [...cutRecords([doc.slice(0, at), doc.slice(at)], 'item')]
      expect(
        split.filter((p) => 'record' in p),
        `split at ${at}`,
      ).toEqual(whole.filter((p) => 'record' in p))
      expect(split.map((p) => ('record' in p ? p.record : p.envelope)).join('')).toBe(doc)
    }
  })

  it('reads every corpus feed the same in 7-byte chunks as whole', () => {
    for (const file of readdirSync(CORPUS).filter((f) => /\.(xml|json)$/.test(f))) {
      if (file === 'broken-rss.xml') continue
      const bytes = readFileSync(join(CORPUS, file))
      const whole = readForeignFeed(decodeFeed(bytes).text)
      const { feed, decoded } = openForeignFeed(bytesSource(bytes, undefined, 7))
      expect(decoded.encoding, file).toBe(decodeFeed(bytes).encoding)
      expect(feed.size, file).toBe(whole.size)
      expect(entriesOf(feed), file).toEqual(entriesOf(whole))
    }
  })

  it('refuses a document with a malformed last item before reading any entry, naming its line', () => {
    const items = Array.from({ length: 3000 }, (_, i) => item(i + 1))
    items.push('<item><title>Broken</title><link>https://x.example/b</lnk></item>')
    const bytes = Buffer.from(rss(items))
    expect(() => openForeignFeed(bytesSource(bytes, undefined, 4096))).toThrow(
      /not well-formed XML at line 3003: .*'link'.*'lnk'/,
    )
  })

  it('names the item holding a byte that does not decode, read in chunks', () => {
    const bytes = Buffer.concat([
      Buffer.from(
        rss([item(1), '<item><title>Broken one</title><description>caf']).split('\n</channel>')[0]!,
      ),
      Buffer.from([0xe9]),
      Buffer.from('</description></item></channel></rss>'),
    ])
    expect(() => openForeignFeed(bytesSource(bytes, undefined, 16))).toThrow(
      /not valid utf-8 \(declared by the XML declaration\), in item 2 \("Broken one"\)/,
    )
  })

  it('refuses a DTD before any record, and an envelope that is not well-formed', () => {
    const dtd = '<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "b">]>\n<rss><channel>'
    expect(checkDocument([dtd, `${item(1, '<x>&a;</x>')}</channel></rss>`], 'item', [])).toEqual({
      error: expect.stringMatching(/declares XML entities/),
    })
    expect(checkDocument([rss([item(1)]).replace('</channel>', '')], 'item', [])).toEqual({
      error: expect.stringMatching(/^not well-formed XML at line 4:/),
    })
  })

  it('imports a file read twice, and refuses it when it changes between the readings', async () => {
    const path = join(dir.path, 'feed.xml')
    writeFileSync(path, rss(Array.from({ length: 1200 }, (_, i) => item(i + 1))))
    const { feed } = openForeignFeed(fileSource(path))
    expect(feed.size).toBe(1200)
    expect(await importFeed(store.articles, feed)).toMatchObject({ entries: 1200, created: 1200 })
    const again = openForeignFeed(fileSource(path))
    writeFileSync(path, rss([item(1)]))
    utimesSync(path, new Date(), new Date(Date.now() + 5_000))
    await expect(importFeed(store.articles, again.feed)).rejects.toThrow(
      /changed while it was being imported/,
    )
  })
})
