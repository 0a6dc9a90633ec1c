// GET /metrics on the real server: names and values after a build, requests, bytes, WebSub.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { makeArticle } from './helpers/fixtures.js'
import { until, useService } from './helpers/service.js'
import { hubRequest, type Subscriber, startSubscriber } from './helpers/subscriber.js'

const METRICS_TOKEN = 'metrics-token-0123456789'
const SITE = 'https://news.example.org'
const service = useService(
  { ARCHIVES: 'false', METRICS_TOKEN },
  { websub: { allowPrivateCallbacks: true, attempts: 3, retryBaseMs: 20, timeoutMs: 1_000 } },
)
let subscriber: Subscriber
beforeAll(async () => {
  subscriber = await startSubscriber()
})
afterAll(() => subscriber.close())

/** The samples of the exposition, `name{labels}` → value. */
const scrape = async (): Promise<Map<string, number>> => {
  const response = await fetch(`${service().url}/metrics`, {
    headers: { authorization: `Bearer ${METRICS_TOKEN}` },
  })
  expect(response.status).toBe(200)
  expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/)
  const samples = new Map<string, number>()
  for (const line of (await response.text()).split('\n')) {
    if (line === '' || line.startsWith('#')) continue
    const at = line.lastIndexOf(' ')
    samples.set(line.slice(0, at), Number(line.slice(at + 1)))
  }
  return samples
}

describe('GET /metrics', () => {
  it('asks for METRICS_TOKEN when one is set', async () => {
    expect((await fetch(`${service().url}/metrics`)).status).toBe(401)
    const wrong = await fetch(`${service().url}/metrics`, {
      headers: { authorization: 'Bearer not-the-metrics-token' },
    })
    expect(wrong.status).toBe(401)
  })

  it("holds the start-up build's figures", async () => {
    const report = service().lastBuild()!
    const m = await scrape()
    expect(m.get('feedwright_builds_total{result="ok"}')).toBe(1)
    expect(m.get('feedwright_build_duration_seconds_count')).toBe(1)
    expect(m.get('feedwright_build_duration_seconds_sum')).toBeCloseTo(report.durationMs / 1000, 3)
    expect(m.get('feedwright_build_outputs_total{outcome="rendered"}')).toBe(report.rendered)
    expect(m.get('feedwright_build_outputs_total{outcome="published"}')).toBe(report.published)
    expect(m.get('feedwright_build_outputs_total{outcome="unchanged"}')).toBe(0)
    expect(m.get('feedwright_build_outputs_total{outcome="failed"}')).toBe(0)
    expect(m.get('feedwright_last_build_failed_outputs')).toBe(0)
    expect(m.get('feedwright_last_successful_build_timestamp_seconds')).toBe(
      Date.parse(report.finishedAt) / 1000,
    )
    expect(m.get('feedwright_store_articles')).toBe(await service().store.articles.count())
    // The event loop's delay, from the default process metrics.
    expect(m.get('nodejs_eventloop_lag_p99_seconds')).toBeGreaterThanOrEqual(0)
    expect(m.has('process_resident_memory_bytes')).toBe(true)
  })

  it('counts requests by route class and status (304s apart) and bytes by encoding', async () => {
    const url = `${service().url}/feeds/rss.xml`
    const before = await scrape()
    const gzip = await fetch(url, { headers: { 'accept-encoding': 'gzip' } })
    const gzipBytes = (await gzip.arrayBuffer()).byteLength
    const etag = gzip.headers.get('etag')!
    const notModified = await fetch(url, {
      headers: { 'accept-encoding': 'gzip', 'if-none-match': etag },
    })
    expect(notModified.status).toBe(304)
    await fetch(`${service().url}/feeds/nothing-here.xml`)
    await fetch(`${service().url}/articles`)
    const after = await scrape()
    const delta = (key: string) => (after.get(key) ?? 0) - (before.get(key) ?? 0)
    expect(delta('feedwright_http_requests_total{route="feed",status="200"}')).toBe(1)
    expect(delta('feedwright_http_requests_total{route="feed",status="304"}')).toBe(1)
    expect(delta('feedwright_http_requests_total{route="feed",status="404"}')).toBe(1)
    expect(delta('feedwright_http_requests_total{route="articles",status="200"}')).toBe(1)
    // fetch decodes gzip: the bytes on the wire are the compressed ones, which are fewer.
    expect(delta('feedwright_http_response_bytes_total{encoding="gzip"}')).toBeGreaterThan(0)
    expect(delta('feedwright_http_response_bytes_total{encoding="gzip"}')).toBeLessThan(gzipBytes)
  })

  it('counts builds, and WebSub subscriptions, deliveries and failed deliveries', async () => {
    const topic = `${SITE}/feeds/rss.xml`
    const subscribe = await hubRequest(service().url, {
      'hub.mode': 'subscribe',
      'hub.callback': subscriber.callback('/metrics'),
      'hub.topic': topic,
    })
    expect(subscribe.status).toBe(202)
    await until('the subscription is verified', async () => {
      const m = await scrape()
      return m.get('feedwright_websub_events_total{event="subscribed"}') === 1
    })
    // The first delivery fails, the retry succeeds.
    subscriber.answerDeliveries('/metrics', [500])
    await service().store.articles.upsert(makeArticle({ id: 'metrics-article' }))
    const report = await service().scheduler.rebuild()
    await until('the delivery is retried and succeeds', async () => {
      const m = await scrape()
      return m.get('feedwright_websub_events_total{event="delivered"}') === 1
    })
    const m = await scrape()
    expect(m.get('feedwright_websub_events_total{event="delivery-failed"}')).toBe(1)
    // The start-up build, this one, and any the scheduler ran meanwhile: each counted once.
    const builds = m.get('feedwright_builds_total{result="ok"}')!
    expect(builds).toBeGreaterThanOrEqual(2)
    expect(m.get('feedwright_build_duration_seconds_count')).toBe(builds)
    expect(m.get('feedwright_build_outputs_total{outcome="unchanged"}')).toBeGreaterThanOrEqual(
      report.unchanged,
    )
    // The subscriber saw both attempts: the one it refused and the one it took.
    expect(subscriber.deliveries.length).toBe(2)
  })
})
