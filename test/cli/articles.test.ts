// `feedwright articles add` writes through the same path as the admin API: same stamp, same rules.
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { Article } from '../../src/articles/schema.js'
import { articles } from '../../src/cli/articles.js'
import type { CliIo } from '../../src/cli/io.js'
import { loadConfig } from '../../src/config.js'
import { openStore } from '../../src/store/open.js'
import { useCliSite } from '../helpers/cli-site.js'
import { useService } from '../helpers/service.js'

const TOKEN = 'test-token-0123456789abcdef'
const server = useService({ FEEDWRIGHT_ADMIN_TOKEN: TOKEN })

const site = useCliSite()

const input = (id: string, extra: Record<string, unknown> = {}) => ({
  id,
  title: 'Written twice',
  summary: 'A summary.',
  contentHtml: '<p>Body.</p>',
  url: `https://news.example.org/science/${id}`,
  authors: [{ name: 'Shell User' }],
  publishedAt: '2026-11-23T10:00:00Z',
  categories: ['Space'],
  ...extra,
})

/** `feedwright articles add` of the JSON given; returns the exit code and what it said. */
const add = async (json: unknown) => {
  const file = join(site().path, 'article.json')
  writeFileSync(file, JSON.stringify(json))
  const out: string[] = []
  const err: string[] = []
  const io: CliIo = {
    out: (l) => out.push(l),
    err: (l) => err.push(l),
    env: site().env,
    isTty: false,
  }
  return { code: await articles(['add', file], io), out: out.join('\n'), err: err.join('\n') }
}

const storedByCli = async (id: string): Promise<Article | undefined> => {
  const store = await openStore(loadConfig(site().env))
  try {
    return await store.articles.get(id)
  } finally {
    await store.close()
  }
}

const put = async (body: unknown): Promise<Article> => {
  const id = (body as { id: string }).id
  const response = await fetch(`${server().url}/api/articles/${id}`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
  expect(response.ok).toBe(true)
  return (await response.json()) as Article
}

describe('feedwright articles add', () => {
  it('stamps an edit that does not say when, as the API does for the same input', async () => {
    const first = input('stamped-edit')
    const edit = input('stamped-edit', { title: 'Written twice, edited' })
    const before = new Date().toISOString()
    await put(first)
    const byApi = await put(edit)
    expect((await add(first)).code).toBe(0)
    expect((await add(edit)).code).toBe(0)
    const byCli = (await storedByCli('stamped-edit'))!
    // The API moves updatedAt to the time of the edit; the CLI now does the same.
    expect(byApi.updatedAt >= before).toBe(true)
    expect(byCli.updatedAt >= byApi.updatedAt).toBe(true)
    expect({ ...byCli, updatedAt: '' }).toEqual({ ...byApi, updatedAt: '' })
  })

  it('keeps the updatedAt an edit gives, and an unchanged article as it was, as the API does', async () => {
    const first = input('dated-edit')
    const dated = input('dated-edit', { title: 'Dated', updatedAt: '2026-11-24T00:00:00Z' })
    const created = await put(first)
    expect(await put(first)).toEqual(created)
    const byApi = await put(dated)
    expect(byApi.updatedAt).toBe(new Date('2026-11-24T00:00:00Z').toISOString())
    await add(first)
    await add(first)
    expect(await storedByCli('dated-edit')).toEqual(created)
    await add(dated)
    expect(await storedByCli('dated-edit')).toEqual(byApi)
  })

  it('stamps each edit of an array, all or nothing, as the API batch does', async () => {
    await add([input('array-a'), input('array-b')])
    const unchanged = await storedByCli('array-b')
    const before = new Date().toISOString()
    const edited = await add([input('array-a', { title: 'Edited' }), input('array-b')])
    expect(edited.out).toContain('stored 2 articles: array-a, array-b')
    expect((await storedByCli('array-a'))!.updatedAt >= before).toBe(true)
    expect(await storedByCli('array-b')).toEqual(unchanged)
  })

  it('refuses, as the API does, a published article dated in the future; nothing is written', async () => {
    const future = new Date(Date.now() + 86_400_000).toISOString()
    await expect(add(input('future-edit', { updatedAt: future }))).rejects.toThrow(/updatedAt/)
    expect(await storedByCli('future-edit')).toBeUndefined()
  })
})
