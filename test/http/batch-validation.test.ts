// A batch is validated (and its HTML sanitised) one article at a time, giving way to other
// requests in between: seconds of sanitising must not stall the feeds being served.
import { describe, expect, it } from 'vitest'
import { ADMIN_TOKEN, adminApi } from '../helpers/admin.js'
import { useService } from '../helpers/service.js'

const server = useService({ FEEDWRIGHT_ADMIN_TOKEN: ADMIN_TOKEN, REBUILD_DEBOUNCE_MS: '600000' })
const api = adminApi(() => server().url)
const post = (body: unknown) => api.post('/api/articles/batch', body)

// About 28 KB of ordinary article HTML, as in the measurements.
const PARAGRAPH =
  '<p>Pakistan and China will establish a <a href="https://example.org/x">joint centre</a> for ' +
  'space science to <em>enhance</em> cooperation &amp; training.</p>' +
  '<figure><img src="https://example.org/a.jpg" alt="x" /><figcaption>A caption</figcaption></figure>'
const BODY = PARAGRAPH.repeat(Math.ceil(28_000 / PARAGRAPH.length))

const article = (id: string, extra: Record<string, unknown> = {}) => ({
  id,
  title: `Batch ${id}`,
  summary: 'S',
  contentHtml: BODY,
  url: `https://news.example.org/batch/${id}`,
  authors: [{ name: 'Batch Writer' }],
  publishedAt: '2026-11-20T10:00:00Z',
  ...extra,
})

describe('batch validation', () => {
  it('answers other requests while a large batch is sanitised', async () => {
    const batch = Array.from({ length: 250 }, (_, i) => article(`big-${i}`))
    let done = false
    let slowest = 0
    const polling = (async () => {
      while (!done) {
        const asked = performance.now()
        expect((await fetch(`${server().url}/healthz`)).status).toBe(200)
        slowest = Math.max(slowest, performance.now() - asked)
        await new Promise((resolve) => setTimeout(resolve, 10))
      }
    })()
    const started = performance.now()
    const response = await post(batch)
    const whole = performance.now() - started
    done = true
    await polling
    expect(response.status).toBe(200)
    // Sanitising 250 articles is most of the batch's time; no request waits for all of it.
    expect(slowest).toBeLessThan(whole / 4)
  })

  it('names the failing article by index and refuses repeated ids, writing nothing', async () => {
    const bad = await post([
      article('ok-1'),
      { ...article('ok-2'), contentHtml: '<script>x</script>' },
    ])
    expect(bad.status).toBe(400)
    expect(((await bad.json()) as { errors: unknown[] }).errors).toEqual([
      { path: '1.contentHtml', message: expect.stringContaining('sanitised') },
    ])
    const twice = await post([article('same'), article('same')])
    expect(twice.status).toBe(400)
    expect(((await twice.json()) as { errors: unknown[] }).errors).toEqual([
      { path: '(body)', message: 'ids must be unique' },
    ])
    expect(await server().store.articles.get('ok-1')).toBeUndefined()
    expect(await server().store.articles.get('same')).toBeUndefined()
  })
})
