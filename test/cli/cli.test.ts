import { execFile } from 'node:child_process'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { startService } from '../../src/service.js'
import { tempDir, testConfig } from '../helpers/fixtures.js'
import { QUIET } from '../helpers/service.js'

const ROOT = resolve(import.meta.dirname, '../..')
const CLI = join(ROOT, 'dist/cli.js')
const IMPORTS = join(ROOT, 'fixtures/import')

let dir: Awaited<ReturnType<typeof tempDir>>
beforeEach(async () => {
  dir = await tempDir()
  writeFileSync(
    join(dir.path, 'feedwright.config.json'),
    JSON.stringify({ site: { title: 'CLI Test' } }),
  )
})
afterEach(() => dir.cleanup())

/** Runs the built feedwright in the temporary directory; never throws on a non-zero exit. */
const run = (...args: string[]) =>
  new Promise<{ code: number; out: string; err: string }>((done) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      { cwd: dir.path, env: { PATH: process.env.PATH, SITE_URL: 'https://cli.example.org' } },
      (error, out, err) => done({ code: error ? Number(error.code) : 0, out, err }),
    )
  })

const writeArticle = (name: string, extra: Record<string, unknown> = {}) => {
  const path = join(dir.path, name)
  writeFileSync(
    path,
    JSON.stringify({
      id: 'cli-article',
      title: 'Added from the command line',
      summary: 'A summary.',
      contentHtml: '<p>Body.</p>',
      url: 'https://cli.example.org/cli-article',
      authors: [{ name: 'Shell User' }],
      publishedAt: '2026-11-24T08:00:00Z',
      categories: ['Space'],
      ...extra,
    }),
  )
  return path
}

describe('feedwright CLI', () => {
  it('prints help and names an unknown command with exit code 2', async () => {
    const help = await run('--help')
    expect(help.code).toBe(0)
    expect(help.out).toContain('validate <file-or-URL>')
    expect((await run('import', '--help')).out).toContain('Usage: feedwright import')
    const unknown = await run('frobnicate')
    expect(unknown.code).toBe(2)
    expect(unknown.err).toContain('unknown command "frobnicate"')
  })

  it('adds and removes articles, refusing invalid ones in one clear line', async () => {
    const added = await run('articles', 'add', writeArticle('a.json'))
    expect(added).toMatchObject({ code: 0 })
    expect(added.out).toContain('stored 1 article: cli-article')
    const invalid = await run(
      'articles',
      'add',
      writeArticle('b.json', { publishedAt: 'tomorrow' }),
    )
    expect(invalid.code).toBe(1)
    expect(invalid.err.trim().split('\n')).toHaveLength(1)
    expect(invalid.err).toContain('publishedAt')
    expect((await run('articles', 'rm', 'cli-article')).code).toBe(0)
    expect((await run('articles', 'rm', 'cli-article')).code).toBe(1)
  })

  it('builds every feed into feeds/ with no server', async () => {
    await run('articles', 'add', writeArticle('a.json'))
    const built = await run('build')
    expect(built.code).toBe(0)
    expect(built.out).toMatch(/build 1: 3 feeds, 18 of 18 outputs written/)
    const rss = readFileSync(join(dir.path, 'feeds/categories/space/rss.xml'), 'utf8')
    expect(rss).toMatch(
      /<guid isPermaLink="false">tag:cli\.example\.org,[\d-]{10}:articles\/cli-article</,
    )
  })

  it('exits 1 and leaves out, naming it, an article that makes its feeds fail', async () => {
    await run('articles', 'add', writeArticle('a.json'))
    // Damage the stored article behind the validator's back: a relative link.
    const db = new Database(join(dir.path, 'data/feedwright.db'))
    db.prepare("UPDATE articles SET body = json_set(body, '$.url', '/relative')").run()
    db.close()
    const built = await run('build')
    expect(built.code).toBe(1)
    expect(built.err).toMatch(/QUARANTINED cli-article in \/feeds\/rss.xml: \[[^\]]*absolute-urls/)
    // The feed is written, without the article.
    expect(readFileSync(join(dir.path, 'feeds/rss.xml'), 'utf8')).not.toContain('cli-article')
  })

  it('sanitises the HTML of articles stored before sanitising, drafts too, once', async () => {
    await run('articles', 'add', writeArticle('a.json'))
    await run('articles', 'add', writeArticle('d.json', { id: 'cli-draft', status: 'draft' }))
    const old = '<p onclick="x()">Old<script>alert(1)</script></p>'
    const db = new Database(join(dir.path, 'data/feedwright.db'))
    for (const table of ['articles', 'pending_articles'])
      db.prepare(`UPDATE ${table} SET body = json_set(body, '$.contentHtml', ?)`).run(old)
    db.close()
    const first = await run('articles', 'sanitize')
    expect(first).toMatchObject({ code: 0 })
    expect(first.out).toContain('sanitised 2 stored articles: 2 changed, 0 refused')
    const stored = new Database(join(dir.path, 'data/feedwright.db'))
    for (const table of ['articles', 'pending_articles']) {
      const row = stored.prepare(`SELECT body FROM ${table}`).get() as { body: string }
      expect(JSON.parse(row.body).contentHtml).toBe('<p>Old</p>')
    }
    stored.close()
    expect((await run('articles', 'sanitize')).out).toContain('0 changed')
  })

  it('validates a good feed and reports each rule a broken one breaks', async () => {
    await run('articles', 'add', writeArticle('a.json'))
    await run('build')
    const good = await run('validate', 'feeds/rss.xml', 'feeds/atom.xml', 'feeds/feed.json')
    expect(good.code).toBe(0)
    expect(good.out.match(/: ok/g)).toHaveLength(3)
    const broken = await run('validate', join(IMPORTS, 'broken-rss.xml'))
    expect(broken.code).toBe(1)
    for (const rule of [
      'required-elements',
      'date-format',
      'unique-ids',
      'absolute-urls',
      'namespaces',
    ]) {
      expect(broken.out).toContain(`[${rule}]`)
    }
    expect((await run('validate', 'missing.xml')).code).toBe(1)
  })

  it('validates feeds fetched over HTTP from a running service', async () => {
    const service = await startService(testConfig(dir.path), QUIET)
    try {
      const result = await run(
        'validate',
        `${service.url}/feeds/atom.xml`,
        `${service.url}/feeds/nope.xml`,
      )
      expect(result.code).toBe(1)
      expect(result.out).toContain('/feeds/atom.xml: ok (Atom 1.0)')
      expect(result.err).toContain('answered 404')
    } finally {
      await service.close()
    }
  })

  it('imports real-world RSS and Atom, reports what it could not map, and re-imports idempotently', async () => {
    const rss = await run('import', join(IMPORTS, 'wordpress-rss.xml'))
    // Comment links and counts have no place in an article: counted, named, exit 1.
    expect(rss.code).toBe(1)
    expect(rss.out).toContain(
      '(RSS 2.0, utf-8 by the XML declaration): 3 items, 3 created, 0 updated',
    )
    expect(rss.out).toContain('lost: wfw:commentRss: not kept: 1 item')
    expect(rss.out).toMatch(/note: no date: took the feed's date 2026-11-23T18:02:11.000Z: 1 item/)
    expect(rss.err).toContain('rerun with --allow-loss')
    const atom = await run('import', join(IMPORTS, 'blog-atom.xml'), '--allow-loss')
    expect(atom.code).toBe(0)
    expect(atom.out).toContain('3 items, 2 created, 0 updated, 0 unchanged, 1 skipped')
    expect(atom.out).toContain('skipped: has no absolute link: 1 item')
    const again = await run('import', join(IMPORTS, 'blog-atom.xml'), '--allow-loss')
    expect(again.out).toContain('0 created, 0 updated, 2 unchanged')
    await run('build')
    const feed = JSON.parse(readFileSync(join(dir.path, 'feeds/feed.json'), 'utf8')) as {
      items: Array<{
        title: string
        authors: Array<{ name: string }>
        tags: string[]
        content_html: string
      }>
    }
    const spikes = feed.items.find((i) => i.title.startsWith('Spikes'))!
    expect(spikes.title).toBe('Spikes everywhere: a new ankylosaur from Liaoning')
    expect(spikes.authors).toEqual([{ name: 'Mei Lin' }])
    expect(spikes.tags).toEqual(['Dinosaurs', 'china'])
    expect(spikes.content_html).toContain('href="https://deeptime.example.org/2026/11/photos/"')
    const artemis = feed.items.find((i) => i.title.startsWith('Artemis'))!
    expect(artemis.authors).toEqual([{ name: 'Priya Natarajan' }])
    expect((await run('validate', 'feeds/rss.xml', 'feeds/atom.xml')).code).toBe(0)
  })

  it('refuses XML with entity declarations', async () => {
    const bomb = join(dir.path, 'bomb.xml')
    writeFileSync(
      bomb,
      '<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "aaaa">]><rss version="2.0"><channel/></rss>',
    )
    const result = await run('import', bomb)
    expect(result.code).toBe(1)
    expect(result.err).toContain('declares XML entities')
  })
})

describe('feedwright import', () => {
  const articleCount = () => {
    const db = new Database(join(dir.path, 'data/feedwright.db'), { readonly: true })
    try {
      return (db.prepare('SELECT count(*) AS n FROM articles').get() as { n: number }).n
    } finally {
      db.close()
    }
  }

  it('exits 0 when everything was imported, and writes nothing on a dry run', async () => {
    const dry = await run('import', join(IMPORTS, 'atom-03.xml'), '--dry-run')
    expect(dry.code).toBe(0)
    expect(dry.out).toContain('dry run, nothing written: would import')
    expect(dry.out).toContain('(Atom 0.3, utf-8 by the XML declaration): 2 items, 2 created')
    expect(existsSync(join(dir.path, 'data/feedwright.db')) ? articleCount() : 0).toBe(0)
    const real = await run('import', join(IMPORTS, 'atom-03.xml'))
    expect(real.code).toBe(0)
    expect(articleCount()).toBe(2)
  })

  it('reports a podcast loss once per kind with a count', async () => {
    const result = await run('import', join(IMPORTS, 'podcast-rss.xml'))
    expect(result.code).toBe(1)
    expect(result.out).toContain(
      'lost: itunes:duration: not kept: 2 items (#1 dta-ep-031, #2 dta-ep-030)',
    )
    expect(result.out.match(/itunes:duration/g)).toHaveLength(1)
    expect(articleCount()).toBe(2)
  })

  it('names the item holding a byte its declared encoding cannot decode', async () => {
    const bad = join(dir.path, 'bad.xml')
    const head = Buffer.from(
      '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>T</title>' +
        '<item><title>Fine</title><link>https://x.example/1</link></item>' +
        '<item><title>Broken one</title><link>https://x.example/2</link><description>caf',
    )
    writeFileSync(
      bad,
      Buffer.concat([
        head,
        Buffer.from([0xe9]),
        Buffer.from('</description></item></channel></rss>'),
      ]),
    )
    const result = await run('import', bad)
    expect(result.code).toBe(1)
    expect(result.err).toMatch(
      /not valid utf-8 \(declared by the XML declaration\), in item 2 \("Broken one"\)/,
    )
  })

  it('refuses an input over --max-bytes, and answers usage mistakes with exit 2', async () => {
    const big = await run('import', join(IMPORTS, 'podcast-rss.xml'), '--max-bytes', '100')
    expect(big.code).toBe(1)
    expect(big.err).toContain('is larger than 100 bytes')
    expect((await run('import', join(IMPORTS, 'atom-03.xml'), '--frobnicate')).code).toBe(2)
    expect((await run('import')).code).toBe(2)
    expect((await run('import', 'a.xml', '--max-bytes', 'lots')).code).toBe(2)
  })

  it('imports over HTTP, decoding by the charset the response declares', async () => {
    const bytes = readFileSync(join(IMPORTS, 'windows-1251-rss.xml'))
    // The HTTP charset outranks the XML declaration (RFC 7303 §3.2), here removed.
    const body = Buffer.from(
      bytes.toString('latin1').replace(' encoding="windows-1251"', ''),
      'latin1',
    )
    const server = createServer((_, response) => {
      response.writeHead(200, { 'content-type': 'application/rss+xml; charset=windows-1251' })
      response.end(body)
    })
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done))
    try {
      const { port } = server.address() as AddressInfo
      const result = await run('import', `http://127.0.0.1:${port}/feed.xml`, '--allow-loss')
      expect(result.code).toBe(0)
      expect(result.out).toContain(
        '(RSS 2.0, windows-1251 by the HTTP charset): 2 items, 2 created',
      )
    } finally {
      server.close()
    }
  })
})
