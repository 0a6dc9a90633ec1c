// Item ids never move: build, change SITE_URL, restart, build — every id is the same, links follow.
import { mkdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import Database from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import { parseXml } from '../../src/lib/xml.js'
import { startService } from '../../src/service.js'
import { SQLITE_MIGRATIONS } from '../../src/store/migrations/sqlite.js'
import { makeArticle, tempDir, testConfig } from '../helpers/fixtures.js'
import {
  dropSchema,
  newSchema,
  postgresUnavailable,
  TEST_DATABASE_URL,
} from '../helpers/postgres.js'
import { QUIET } from '../helpers/service.js'

interface Seen {
  ids: string[]
  feedId: string
  self: string
  guidPermalinks: string[]
  links: string[]
}

/** Starts the service on `dir` with SITE_URL `site`, reads what it published, stops it. */
const publishedWith = async (dir: string, site: string, env: Record<string, string> = {}) => {
  const service = await startService(testConfig(dir, { SITE_URL: site, ...env }), QUIET)
  try {
    // With PostgreSQL a restart serves what was shared; the test's "build" is a full one.
    await service.scheduler.rebuild({ full: true })
    const get = async (path: string) => (await fetch(`${service.url}${path}`)).text()
    const atom = parseXml(await get('/feeds/atom.xml'), ['entry', 'link'])
    const rss = parseXml(await get('/feeds/rss.xml'), ['item'])
    const json = JSON.parse(await get('/feeds/feed.json')) as { items: Array<{ id: string }> }
    if ('error' in atom || 'error' in rss) throw new Error('not well-formed')
    const feed = atom.doc.feed as {
      id: string
      link: Array<Record<string, string>>
      entry: Array<{ id: string }>
    }
    const items = (rss.doc.rss as { channel: { item: Array<Record<string, unknown>> } }).channel
      .item
    const guids = items.map((i) => i.guid as { '#text': string; '@isPermaLink': string })
    const seen: Seen = {
      ids: [
        ...feed.entry.map((e) => e.id),
        ...guids.map((g) => g['#text']),
        ...json.items.map((i) => i.id),
      ],
      feedId: feed.id,
      self: feed.link.find((l) => l['@rel'] === 'self')!['@href']!,
      guidPermalinks: [...new Set(guids.map((g) => g['@isPermaLink']))],
      links: items.map((i) => i.link as string),
    }
    return seen
  } finally {
    await service.close()
  }
}

const movesSite = async (env: Record<string, string> = {}) => {
  const dir = await tempDir()
  try {
    const before = await publishedWith(dir.path, 'https://old.example.org', env)
    const after = await publishedWith(dir.path, 'https://www.new.example.net', env)
    const today = new Date().toISOString().slice(0, 10)
    expect(before.ids.length).toBeGreaterThan(0)
    expect(before.ids[0]).toMatch(new RegExp(`^tag:old\\.example\\.org,${today}:articles/`))
    expect(after.ids).toEqual(before.ids)
    expect(after.feedId).toBe(before.feedId)
    // Links follow the new address; the guid is an id, not a link.
    expect(before.self).toBe('https://old.example.org/feeds/atom.xml')
    expect(after.self).toBe('https://www.new.example.net/feeds/atom.xml')
    expect(after.guidPermalinks).toEqual(['false'])
    expect(after.links.every((link) => link.startsWith('https://news.example.org/'))).toBe(true)
  } finally {
    await dir.cleanup()
  }
}

describe('ids that never move', () => {
  it('keeps every id when SITE_URL changes across a restart (SQLite)', () => movesSite())

  it.skipIf(postgresUnavailable !== undefined)(
    'keeps every id when SITE_URL changes across a restart (PostgreSQL)',
    async () => {
      const schema = newSchema()
      try {
        await movesSite({ DATABASE_URL: TEST_DATABASE_URL, DATABASE_SCHEMA: schema })
      } finally {
        await dropSchema(schema)
      }
    },
  )

  it('keeps the URL ids a store published before tag ids, whatever SITE_URL becomes', async () => {
    const dir = await tempDir()
    try {
      // A store as the release before tag ids left it: schema version 4, an article, a build.
      const path = join(dir.path, 'data', 'feedwright.db')
      mkdirSync(dirname(path), { recursive: true })
      const old = new Database(path)
      SQLITE_MIGRATIONS.slice(0, 4).forEach((step) => old.exec(step))
      old.pragma('user_version = 4')
      const article = makeArticle()
      old
        .prepare('INSERT INTO articles (id, published_at, updated_at, body) VALUES (?, ?, ?, ?)')
        .run(article.id, article.publishedAt, article.updatedAt, JSON.stringify(article))
      old.prepare("INSERT INTO build_state (name, value) VALUES ('built-marker', 0)").run()
      old.close()
      const before = await publishedWith(dir.path, 'https://legacy.example.org')
      expect(before.ids[0]).toMatch(/^https:\/\/legacy\.example\.org\/articles\//)
      const after = await publishedWith(dir.path, 'https://moved.example.net')
      expect(after.ids).toEqual(before.ids)
      expect(after.self).toBe('https://moved.example.net/feeds/atom.xml')
    } finally {
      await dir.cleanup()
    }
  })
})
