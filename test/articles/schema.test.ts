import { describe, expect, it } from 'vitest'
import { parseArticle } from '../../src/articles/schema.js'
import { ValidationError } from '../../src/lib/errors.js'
import { makeArticle } from '../helpers/fixtures.js'

const valid = {
  id: 'moon-landing',
  title: 'Moon landing',
  summary: 'People walked on the Moon.',
  contentHtml: '<p>They did.</p>',
  url: 'https://news.example.org/moon-landing',
  authors: [{ name: 'Neil' }],
  publishedAt: '1969-07-20T20:17:40Z',
}

const issuesOf = (input: unknown) => {
  try {
    parseArticle(input)
  } catch (error) {
    if (error instanceof ValidationError) return error.issues
    throw error
  }
  throw new Error('expected a ValidationError')
}

describe('parseArticle', () => {
  it('accepts a minimal article and fills defaults', () => {
    const article = parseArticle(valid)
    expect(article.updatedAt).toBe(article.publishedAt)
    expect(article.categories).toEqual([])
    expect(article.enclosures).toEqual([])
  })

  it('names every failing field with its path', () => {
    const issues = issuesOf({
      ...valid,
      id: 'Not A Slug',
      title: '   ',
      url: '/relative',
      authors: [{ name: 'A', email: 'nope' }],
      publishedAt: 'yesterday',
      colour: 'blue',
    })
    expect(issues.map((i) => i.path).sort()).toEqual(
      ['authors.0.email', 'colour', 'id', 'publishedAt', 'title', 'url'].sort(),
    )
    expect(issues.find((i) => i.path === 'colour')?.message).toBe('is not a known field')
  })

  it('rejects wrong types with the field named', () => {
    const issues = issuesOf({ ...valid, title: 42, authors: 'someone' })
    expect(issues.map((i) => i.path)).toEqual(['title', 'authors'])
  })

  it('rejects dates without an offset and impossible calendar dates', () => {
    expect(issuesOf({ ...valid, publishedAt: '2026-11-25T10:00:00' })[0]?.path).toBe('publishedAt')
    expect(issuesOf({ ...valid, publishedAt: '2026-02-30T10:00:00Z' })[0]?.path).toBe('publishedAt')
    expect(issuesOf({ ...valid, publishedAt: '2026-11-25T24:00:00Z' })[0]?.path).toBe('publishedAt')
  })

  it('normalizes offsets to UTC and accepts dates without seconds', () => {
    const article = parseArticle({ ...valid, publishedAt: '2026-11-25T10:30+05:00' })
    expect(article.publishedAt).toBe('2026-11-25T05:30:00.000Z')
  })

  it('rejects updatedAt before publishedAt', () => {
    const issues = issuesOf({ ...valid, updatedAt: '1969-07-19T00:00:00Z' })
    expect(issues).toEqual([{ path: 'updatedAt', message: 'must not be earlier than publishedAt' }])
  })

  it('requires at least one author', () => {
    expect(issuesOf({ ...valid, authors: [] })[0]?.path).toBe('authors')
  })

  it('requires explicit media type and length on images', () => {
    const issues = issuesOf({ ...valid, image: { url: 'https://x.org/a.jpg' } })
    expect(issues.map((i) => i.path).sort()).toEqual(['image.length', 'image.type'])
    expect(
      issuesOf({ ...valid, image: { url: 'https://x.org/a.jpg', type: 'text/html', length: 1 } })[0]
        ?.path,
    ).toBe('image.type')
  })

  it('removes control characters and keeps labels unique by slug', () => {
    const article = makeArticle({
      title: 'Bad\u0000 \u0007title\uFFFF',
      categories: ['Space', 'space', 'SPACE!'],
    })
    expect(article.title).toBe('Bad title')
    expect(article.categories).toEqual(['Space'])
  })

  it('rejects labels that cannot become XML attributes or slugs', () => {
    expect(issuesOf({ ...valid, tags: ['a<b'] })[0]?.path).toBe('tags.0')
    expect(issuesOf({ ...valid, tags: ['!!!'] })[0]?.path).toBe('tags.0')
  })

  it('rejects a body larger than the limit', () => {
    expect(issuesOf({ ...valid, contentHtml: 'x'.repeat(1_000_001) })[0]?.path).toBe('contentHtml')
  })

  it('makes CDATA terminators and relative URLs in the body safe', () => {
    const article = makeArticle({
      url: 'https://news.example.org/science/a/b',
      contentHtml:
        '<p>a]]>b</p><img src="../img/x.png"><a href="#top">top</a><a href="mailto:x@y.z">m</a>',
    })
    expect(article.contentHtml).toBe(
      '<p>a]]&gt;b</p><img src="https://news.example.org/science/img/x.png" /><a href="#top">top</a><a href="mailto:x@y.z">m</a>',
    )
  })
})
