// The one write path: what every way of writing articles (API, CLI, import, seed) applies.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { openSqliteStore } from '../../src/store/sqlite.js'
import type { Store } from '../../src/store/store.js'
import { putArticle, putArticles, putValidated } from '../../src/store/write-path.js'
import { makeArticle } from '../helpers/fixtures.js'

const NOW = new Date('2026-11-28T12:00:00Z')

const input = (extra: Record<string, unknown> = {}) => ({
  id: 'written',
  title: 'Written',
  url: 'https://news.example.org/science/written',
  authors: [{ name: 'Writer' }],
  publishedAt: '2026-11-21T10:00:00Z',
  ...extra,
})

let store: Store
beforeEach(() => {
  store = openSqliteStore(':memory:')
})
afterEach(() => store.close())

describe('the article write path', () => {
  it('validates and sanitises what a client sends, and stamps an edit that does not say when', async () => {
    await expect(putArticle(store.articles, { id: 'Bad Id' }, { now: NOW })).rejects.toThrow(
      /invalid article/,
    )
    const { article: first, previous } = await putArticle(
      store.articles,
      input({ contentHtml: '<p onclick="x()">Body</p>' }),
      { now: NOW },
    )
    expect(previous).toBeUndefined()
    expect(first.contentHtml).toBe('<p>Body</p>')
    expect(first.updatedAt).toBe(first.publishedAt)
    const { article: edited } = await putArticle(store.articles, input({ title: 'Edited' }), {
      now: NOW,
    })
    expect(edited.updatedAt).toBe(NOW.toISOString())
    expect(await store.articles.get('written')).toEqual(edited)
  })

  it('stamps each article of a batch against its stored version, and refuses future dates', async () => {
    await putArticles(store.articles, [input(), input({ id: 'other' })], { now: NOW })
    const written = await putArticles(
      store.articles,
      [input({ title: 'Edited' }), input({ id: 'other' })],
      { now: NOW },
    )
    expect(written.map((w) => w.article.updatedAt)).toEqual([
      NOW.toISOString(),
      new Date('2026-11-21T10:00:00Z').toISOString(),
    ])
    const future = input({ id: 'third', updatedAt: '2026-12-01T00:00:00Z' })
    await expect(putArticles(store.articles, [input(), future], { now: NOW })).rejects.toThrow(
      /future/,
    )
    expect(await store.articles.get('third')).toBeUndefined()
  })

  it('stores validated articles that changed, and only reports them on a dry run', async () => {
    const article = makeArticle()
    expect(await putValidated(store.articles, [article], { dryRun: true })).toEqual([
      { article, previous: undefined },
    ])
    expect(await store.articles.count()).toBe(0)
    await putValidated(store.articles, [article])
    expect(await putValidated(store.articles, [article])).toEqual([])
    const changed = makeArticle({ title: 'Changed' })
    expect(await putValidated(store.articles, [changed])).toEqual([
      { article: changed, previous: article },
    ])
  })
})
