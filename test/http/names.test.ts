// Authors and labels written only in other scripts: accepted, with feeds at IRIs, files on disk
// and pages for people; percent-encoded wherever the URL is written down.
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { LABEL_SLUG_PATTERN, slugify } from '../../src/lib/slug.js'
import { propertyRuns, text } from '../helpers/arbitraries.js'
import { ADMIN_TOKEN, adminApi } from '../helpers/admin.js'
import { until, useService } from '../helpers/service.js'

const server = useService({ FEEDWRIGHT_ADMIN_TOKEN: ADMIN_TOKEN, REBUILD_DEBOUNCE_MS: '50' })
const api = adminApi(() => server().url)

// Chinese, Russian, Arabic, Greek and Hindi: no ASCII letter in any of them.
const NAMES = [
  { name: '李明', slug: '李明' },
  { name: 'Иван Петров', slug: 'иван-петров' },
  { name: 'محمد', slug: 'محمد' },
  { name: 'Ελένη', slug: 'ελένη' },
] as const

const post = (body: unknown) => api.post('/api/articles', body)

describe('names in every script', () => {
  it('slugs keep every script and leave ASCII slugs as they were', () => {
    for (const { name, slug } of NAMES) expect(slugify(name)).toBe(slug)
    expect(slugify('हिन्दी समाचार')).toBe('हिन्दी-समाचार')
    // Published URLs never move: labels with any ASCII letter keep the ASCII slug.
    expect(slugify('Café Économie')).toBe('cafe-economie')
    expect(slugify('R&D')).toBe('r-and-d')
    expect(slugify('Łódź 李')).toBe('odz')
    expect(slugify('🚀')).toBe('')
    // Different names, different slugs; the same name (any Unicode form), the same slug.
    expect(new Set(NAMES.map((n) => slugify(n.name))).size).toBe(NAMES.length)
    expect(slugify('Ελένη'.normalize('NFD'))).toBe(slugify('Ελένη'))
    // A long name in a three-byte script stays a valid file name (≤ 255 bytes), stably.
    const long = 'नमस्ते '.repeat(40)
    expect(Buffer.byteLength(slugify(long))).toBeLessThanOrEqual(120)
    expect(slugify(long)).toBe(slugify(long))
    expect(slugify(long)).not.toBe(slugify(`${long}!x`))
  })

  it('gives every label the slug it had before slugs knew other scripts, when it had one', () => {
    // The slug function as it was: published URLs were made with it.
    const before = (label: string): string =>
      label
        .normalize('NFKD')
        .replace(/[\u0300-\u036f]/g, '')
        .toLowerCase()
        .replace(/&/g, ' and ')
        .replace(/\+/g, ' plus ')
        .replace(/[^a-z0-9]+/g, '-')
        .replace(/^-+|-+$/g, '')
    fc.assert(
      fc.property(fc.oneof(text(), fc.string({ unit: 'grapheme' })), (label) => {
        const slug = slugify(label)
        if (before(label) !== '') expect(slug).toBe(before(label))
        else if (slug !== '') expect(slug).toMatch(LABEL_SLUG_PATTERN)
        expect(slugify(label.normalize('NFD'))).toBe(slug)
      }),
      propertyRuns(500),
    )
  })

  it('publishes feeds, files and pages for authors and labels in four scripts', async () => {
    const response = await post({
      id: 'names-in-every-script',
      title: 'Names in every script',
      summary: 'Four authors, four scripts.',
      contentHtml: '<p>Body.</p>',
      url: 'https://news.example.org/science/names',
      authors: NAMES.map(({ name }) => ({ name })),
      publishedAt: '2026-11-24T10:00:00Z',
      categories: ['Ελένη'],
      tags: ['李明'],
    })
    expect(response.status).toBe(201)
    const base = server().url
    for (const { slug } of NAMES) {
      const wire = `/feeds/authors/${encodeURIComponent(slug)}`
      // A document's page for people goes out after its three formats.
      await until(`the feed of ${slug}`, async () => (await fetch(`${base}${wire}/`)).ok)
      for (const file of ['rss.xml', 'atom.xml', 'feed.json']) {
        const feed = await fetch(`${base}${wire}/${file}`)
        expect(feed.status).toBe(200)
        // The self link is the percent-encoded URL, in the body and in the Link header.
        const self = `https://news.example.org${wire}/${file}`
        expect(await feed.text()).toContain(self)
        expect(feed.headers.get('link')).toContain(`<${self}>; rel="self"`)
        // The file under feeds/ has the name in its own script.
        const onDisk = await readFile(join(server().config.feedsDir, 'authors', slug, file), 'utf8')
        expect(onDisk).toContain(self)
      }
      const page = await fetch(`${base}${wire}/`, { headers: { 'sec-fetch-dest': 'document' } })
      expect(page.status).toBe(200)
      expect(page.headers.get('content-type')).toContain('text/html')
    }
    for (const path of [
      `categories/${encodeURIComponent('ελένη')}`,
      `tags/${encodeURIComponent('李明')}`,
    ])
      await until(path, async () => (await fetch(`${base}/feeds/${path}/`)).ok)
    const category = await fetch(
      `${base}/feeds/categories/${encodeURIComponent('ελένη')}/feed.json`,
    )
    expect(category.status).toBe(200)
    expect(((await category.json()) as { title: string }).title).toContain('Ελένη')
    const tag = await fetch(`${base}/feeds/tags/${encodeURIComponent('李明')}/atom.xml`)
    expect(tag.status).toBe(200)
    // The index page (published at the end of the build) links to them percent-encoded.
    const link = `/feeds/authors/${encodeURIComponent('李明')}/`
    await until('the index page', async () =>
      (await (await fetch(`${base}/`)).text()).includes(link),
    )
    expect(await (await fetch(`${base}/`)).text()).not.toContain('/feeds/authors/李明/')
    // The public API filters by the same slugs.
    const listed = await fetch(`${base}/articles?author=${encodeURIComponent('محمد')}`)
    expect(listed.status).toBe(200)
    const body = (await listed.json()) as { items?: Array<{ id: string }> }
    expect(JSON.stringify(body)).toContain('names-in-every-script')

    // Gone with their last article: taken down, files removed, like any other feed.
    const removed = await api.call('DELETE', '/api/articles/names-in-every-script')
    expect(removed.status).toBeLessThan(300)
    const wire = `/feeds/authors/${encodeURIComponent('李明')}/rss.xml`
    await until('taken down', async () => (await fetch(`${base}${wire}`)).status === 404)
    await until('file removed', async () =>
      readFile(join(server().config.feedsDir, 'authors', '李明', 'rss.xml')).then(
        () => false,
        () => true,
      ),
    )
  })
})
