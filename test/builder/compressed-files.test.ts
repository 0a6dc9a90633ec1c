// The files under FEEDS_DIR carry their .gz and .br forms, for a static server in front
// (nginx gzip_static/brotli_static), and go with the feed when it is taken down.
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { brotliDecompressSync, gunzipSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { makeArticle } from '../helpers/fixtures.js'
import { useService } from '../helpers/service.js'

const service = useService({ ARCHIVES: 'false' })

describe('files under FEEDS_DIR', () => {
  it('holds each feed with its gzip and brotli forms, the same bytes', () => {
    const feeds = service().config.feedsDir
    for (const name of ['rss.xml', 'atom.xml', 'feed.json', 'index.html']) {
      const file = join(feeds, name)
      const identity = readFileSync(file)
      expect(gunzipSync(readFileSync(`${file}.gz`)).equals(identity)).toBe(true)
      expect(brotliDecompressSync(readFileSync(`${file}.br`)).equals(identity)).toBe(true)
    }
  })

  it('takes the compressed forms down with a feed that is gone', async () => {
    const article = makeArticle({ id: 'only-one', tags: ['Lonely Tag'] })
    await service().store.articles.upsert(article)
    await service().scheduler.rebuild()
    const file = join(service().config.feedsDir, 'tags', 'lonely-tag', 'rss.xml')
    expect([file, `${file}.gz`, `${file}.br`].map(existsSync)).toEqual([true, true, true])
    await service().store.articles.delete(article.id, new Date())
    const report = await service().scheduler.rebuild()
    expect(report.removed).toBeGreaterThan(0)
    expect([file, `${file}.gz`, `${file}.br`].map(existsSync)).toEqual([false, false, false])
  })
})
