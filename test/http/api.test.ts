import { describe, expect, it } from 'vitest'
import { startService } from '../../src/service.js'
import { tempDir, testConfig } from '../helpers/fixtures.js'
import { ADMIN_TOKEN, adminApi, apiArticle } from '../helpers/admin.js'
import { QUIET, until as untilNamed, useService } from '../helpers/service.js'

const until = (check: () => Promise<boolean>) => untilNamed('the rebuild', check, 20_000)

const server = useService({ FEEDWRIGHT_ADMIN_TOKEN: ADMIN_TOKEN, REBUILD_DEBOUNCE_MS: '100' })
const { call } = adminApi(() => server().url)

const article = (id: string, extra: Record<string, unknown> = {}) =>
  apiArticle(id, { publishedAt: '2026-11-23T10:00:00Z', categories: ['Space'], ...extra })

describe('admin API authentication', () => {
  it('answers 401 with WWW-Authenticate for a missing or wrong token', async () => {
    const missing = await call('GET', '/api/builds/latest', undefined, { authorization: '' })
    expect(missing.status).toBe(401)
    expect(missing.headers.get('www-authenticate')).toMatch(/^Bearer/)
    expect(missing.headers.get('content-type')).toBe('application/problem+json')
    const wrong = await call('GET', '/api/builds/latest', undefined, {
      authorization: 'Bearer nope',
    })
    expect(wrong.status).toBe(401)
  })

  it('answers 503 saying how to enable it when no token is configured', async () => {
    const closedDir = await tempDir()
    const closed = await startService(testConfig(closedDir.path), QUIET)
    try {
      const response = await fetch(`${closed.url}/api/rebuild`, { method: 'POST' })
      expect(response.status).toBe(503)
      expect(((await response.json()) as { detail: string }).detail).toContain(
        'FEEDWRIGHT_ADMIN_TOKEN',
      )
    } finally {
      await closed.close()
      await closedDir.cleanup()
    }
  })
})

describe('article writes', () => {
  it('creates with 201, Location and ETag, and refuses a second create with 409', async () => {
    const created = await call('POST', '/api/articles', article('api-one'))
    expect(created.status).toBe(201)
    expect(created.headers.get('location')).toBe('/articles/api-one')
    const read = await fetch(`${server().url}/articles/api-one`)
    expect(read.headers.get('etag')).toBe(created.headers.get('etag'))
    expect((await call('POST', '/api/articles', article('api-one'))).status).toBe(409)
  })

  it('answers 400 with every failing field and writes nothing', async () => {
    const response = await call('POST', '/api/articles', {
      ...article('api-bad'),
      title: '',
      publishedAt: '2026-13-01T00:00:00Z',
      authors: [{ name: 'x', email: 'not-an-email' }],
    })
    expect(response.status).toBe(400)
    expect(response.headers.get('content-type')).toBe('application/problem+json')
    const problem = (await response.json()) as { errors: Array<{ path: string }> }
    expect(problem.errors.map((e) => e.path).sort()).toEqual([
      'authors.0.email',
      'publishedAt',
      'title',
    ])
    expect((await fetch(`${server().url}/articles/api-bad`)).status).toBe(404)
  })

  it('answers 400 for malformed JSON, 415 for another media type, 413 past 1 MiB', async () => {
    expect((await call('POST', '/api/articles', '{"id": ')).status).toBe(400)
    const text = await call('POST', '/api/articles', 'id=x', { 'content-type': 'text/plain' })
    expect(text.status).toBe(415)
    const huge = await call(
      'POST',
      '/api/articles',
      article('api-huge', { contentHtml: 'x'.repeat(1_100_000) }),
    )
    expect(huge.status).toBe(413)
  })

  it('creates or replaces with PUT and enforces If-Match with 412', async () => {
    expect((await call('PUT', '/api/articles/api-put', article('api-put'))).status).toBe(201)
    const current = await call('GET', '/api/articles/api-put')
    const etag = current.headers.get('etag')!
    const replaced = await call(
      'PUT',
      '/api/articles/api-put',
      article('api-put', { title: 'Second' }),
      {
        'if-match': etag,
      },
    )
    expect(replaced.status).toBe(200)
    const stale = await call(
      'PUT',
      '/api/articles/api-put',
      article('api-put', { title: 'Third' }),
      {
        'if-match': etag,
      },
    )
    expect(stale.status).toBe(412)
    expect(
      ((await (await call('GET', '/api/articles/api-put')).json()) as { title: string }).title,
    ).toBe('Second')
    const mismatch = await call('PUT', '/api/articles/api-put', article('other-id'))
    expect(mismatch.status).toBe(400)
  })

  it('patches with a merge patch and moves updatedAt when content changes', async () => {
    await call('PUT', '/api/articles/api-patch', article('api-patch'))
    const patched = await call(
      'PATCH',
      '/api/articles/api-patch',
      { title: 'Patched', tags: ['Moon'] },
      {
        'content-type': 'application/merge-patch+json',
      },
    )
    expect(patched.status).toBe(200)
    const body = (await patched.json()) as {
      title: string
      tags: string[]
      updatedAt: string
      publishedAt: string
    }
    expect(body).toMatchObject({ title: 'Patched', tags: ['Moon'] })
    expect(body.updatedAt > body.publishedAt).toBe(true)
    const invalid = await call('PATCH', '/api/articles/api-patch', { url: 'relative/path' })
    expect(invalid.status).toBe(400)
    expect((await call('PATCH', '/api/articles/nope', { title: 'x' })).status).toBe(404)
  })

  it('deletes with 204, then 404', async () => {
    await call('PUT', '/api/articles/api-delete', article('api-delete'))
    expect(
      (await call('DELETE', '/api/articles/api-delete', undefined, { 'if-match': '"stale"' }))
        .status,
    ).toBe(412)
    expect((await call('DELETE', '/api/articles/api-delete')).status).toBe(204)
    expect((await call('DELETE', '/api/articles/api-delete')).status).toBe(404)
  })

  it('writes a batch all or nothing', async () => {
    const good = await call('POST', '/api/articles/batch', [article('batch-a'), article('batch-b')])
    expect(good.status).toBe(200)
    const count = await server().store.articles.count()
    const bad = await call('POST', '/api/articles/batch', [
      article('batch-c'),
      article('batch-d'),
      { ...article('batch-e'), publishedAt: 'never' },
    ])
    expect(bad.status).toBe(400)
    expect(((await bad.json()) as { errors: Array<{ path: string }> }).errors[0]?.path).toBe(
      '2.publishedAt',
    )
    expect(await server().store.articles.count()).toBe(count)
    expect(await server().store.articles.get('batch-c')).toBeUndefined()
    const full = Array.from({ length: 1_000 }, (_, i) =>
      article(`bulk-${i}`, { contentHtml: `<p>${'Long enough body. '.repeat(80)}</p>` }),
    )
    expect(JSON.stringify(full).length).toBeGreaterThan(1024 * 1024)
    expect((await call('POST', '/api/articles/batch', full)).status).toBe(200)
    expect(await server().store.articles.get('bulk-999')).toBeDefined()
    const tooMany = Array.from({ length: 1_001 }, (_, i) => ({ id: `n${i}` }))
    expect((await call('POST', '/api/articles/batch', tooMany)).status).toBe(400)
  })
})

describe('rebuilds', () => {
  it('rebuilds the touched feeds shortly after a write; untouched feeds keep their ETag', async () => {
    const space = await fetch(`${server().url}/feeds/categories/space/atom.xml`)
    const wildlife = await fetch(`${server().url}/feeds/categories/wildlife/atom.xml`)
    await call(
      'PUT',
      '/api/articles/debounced',
      article('debounced', { title: 'Debounced rebuild works' }),
    )
    await until(async () =>
      (await (await fetch(`${server().url}/feeds/categories/space/atom.xml`)).text()).includes(
        'Debounced rebuild',
      ),
    )
    const spaceAfter = await fetch(`${server().url}/feeds/categories/space/atom.xml`)
    expect(spaceAfter.headers.get('etag')).not.toBe(space.headers.get('etag'))
    const wildlifeAfter = await fetch(`${server().url}/feeds/categories/wildlife/atom.xml`)
    expect(wildlifeAfter.headers.get('etag')).toBe(wildlife.headers.get('etag'))
  })

  it('coalesces concurrent rebuild requests and reports the build', async () => {
    const responses = await Promise.all(
      Array.from({ length: 5 }, () => call('POST', '/api/rebuild', { full: true })),
    )
    expect(responses.every((r) => r.status === 202)).toBe(true)
    const ids = await Promise.all(
      responses.map(async (r) => ((await r.json()) as { id: number }).id),
    )
    // at most one running build plus one queued build serve all five requests
    expect(new Set(ids).size).toBeLessThanOrEqual(2)
    const last = Math.max(...ids)
    await until(
      async () =>
        (await call('GET', `/api/builds/${last}`)).status === 200 &&
        ((await (await call('GET', `/api/builds/${last}`)).json()) as { status: string }).status ===
          'finished',
    )
    const report = (await (await call('GET', '/api/builds/latest')).json()) as {
      id: number
      full: boolean
      failures: unknown[]
      feeds: number
    }
    expect(report).toMatchObject({ id: last, full: true, failures: [] })
    expect((await call('GET', '/api/builds/999999')).status).toBe(404)
    // Neither a number nor `latest`: no such resource, as for any unknown path.
    const other = await call('GET', '/api/builds/newest')
    expect(other.status).toBe(404)
    expect(other.headers.get('content-type')).toBe('application/problem+json')
  })
})

describe('public article reads', () => {
  it('pages through a selection with a cursor', async () => {
    const seen: string[] = []
    let next: string | undefined = '/articles?category=space&limit=2'
    while (next) {
      const response = await fetch(`${server().url}${next}`)
      expect(response.status).toBe(200)
      const page = (await response.json()) as { items: Array<{ id: string }>; next?: string }
      seen.push(...page.items.map((a) => a.id))
      next = page.next
    }
    expect(new Set(seen).size).toBe(seen.length)
    expect(seen.length).toBeGreaterThanOrEqual(3)
  })

  it('answers 400 naming a bad query parameter and 404 for an unknown article', async () => {
    const bad = await fetch(`${server().url}/articles?limit=0&cursor=zzz`)
    expect(bad.status).toBe(400)
    const problem = (await bad.json()) as { errors: Array<{ path: string }> }
    expect(problem.errors.map((e) => e.path).sort()).toEqual(['cursor', 'limit'])
    expect((await fetch(`${server().url}/articles/no-such-article`)).status).toBe(404)
  })

  it('answers 304 for an article whose ETag the client has', async () => {
    const first = await fetch(`${server().url}/articles/blood-falls-antarctica`)
    const again = await fetch(`${server().url}/articles/blood-falls-antarctica`, {
      headers: { 'if-none-match': first.headers.get('etag')! },
    })
    expect(again.status).toBe(304)
  })
})
