// The served archive with months cut into parts: the month's own URL still answers, later parts
// answer at theirs, and every link of the chain leads to a document the service serves.
import { describe, expect, it } from 'vitest'
import { until, useService } from '../helpers/service.js'

// Two articles per archive document: the nine seeded November articles make five parts.
const service = useService({ ARCHIVE_DOCUMENT_ITEMS: '2' })

const PREV = /<link rel="prev-archive" href="([^"]+)"\/>/
const NEXT = /<link rel="next-archive" href="([^"]+)"\/>/

const get = async (url: string) => {
  const response = await fetch(url)
  return { status: response.status, body: await response.text() }
}

describe('archive parts over HTTP', () => {
  it('serves the month URL and each part, chained both ways, none over the bound', async () => {
    const base = service().url
    // The start-up build leaves the archive to the next one, which publishes it part by part.
    await until('the archive is built', () => (service().lastBuild()?.archiveMonths ?? 0) > 0)
    const site = await get(`${base}/feeds/atom.xml`)
    let url = PREV.exec(site.body)?.[1]
    const walked: string[] = []
    let newer: string | undefined
    while (url) {
      const local = url.replace(/^https?:\/\/[^/]+/, base)
      const { status, body } = await get(local)
      expect(status, url).toBe(200)
      expect(NEXT.exec(body)?.[1], url).toBe(newer)
      expect(body.split('<entry>').length - 1).toBeLessThanOrEqual(2)
      walked.unshift(new URL(url).pathname)
      newer = url
      url = PREV.exec(body)?.[1]
    }
    expect(walked).toEqual([
      '/feeds/archive/2026/11/atom.xml',
      '/feeds/archive/2026/11/2/atom.xml',
      '/feeds/archive/2026/11/3/atom.xml',
      '/feeds/archive/2026/11/4/atom.xml',
      '/feeds/archive/2026/11/5/atom.xml',
    ])
    for (const path of [
      '/feeds/archive/2026/11/rss.xml',
      '/feeds/archive/2026/11/3/feed.json',
      '/feeds/archive/2026/11/3/',
    ]) {
      expect((await get(`${base}${path}`)).status, path).toBe(200)
    }
    expect((await get(`${base}/feeds/archive/2026/11/6/atom.xml`)).status).toBe(404)
  })
})
