// The service's Prometheus metrics: one registry per service, fed by the build, HTTP and WebSub
// through the functions below (service.ts wires them), read by GET /metrics.
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client'
import type { BuildReport } from './builder/report.js'
import type { HubEvent } from './websub/hub-settings.js'

/** What a request is, for the request counter: a handful of values, never a raw path. */
export type RouteClass =
  'feed' | 'archive' | 'index' | 'articles' | 'api' | 'websub' | 'health' | 'metrics' | 'other'

/** What the WebSub hub reports: verifications, deliveries (each attempt), leases ended. */
export type WebSubEvent = HubEvent

export interface Metrics {
  registry: Registry
  build(report: BuildReport): void
  buildFailed(): void
  /** Counts one answered request; cheap enough for every feed request (no label hashing). */
  request(route: RouteClass, status: number, encoding: string, bytes: number): void
  webSub(event: WebSubEvent): void
  /** Renders the registry in the Prometheus text format. */
  render(): Promise<string>
}

const PREFIX = 'feedwright_'

/** Which route class a request path belongs to: prefix checks, no regular expression. */
export const routeClassOf = (path: string): RouteClass => {
  if (path.startsWith('/feeds/archive/')) return 'archive'
  if (path.startsWith('/feeds')) return 'feed'
  if (path === '/') return 'index'
  if (path.startsWith('/articles')) return 'articles'
  if (path.startsWith('/api/')) return 'api'
  if (path.startsWith('/websub')) return 'websub'
  if (path === '/healthz' || path === '/readyz') return 'health'
  if (path === '/metrics') return 'metrics'
  return 'other'
}

/**
 * Creates the registry with the default process metrics (event-loop delay among them:
 * `nodejs_eventloop_lag_*`). `articles` is asked at each scrape.
 */
export const createMetrics = (options: { articles: () => Promise<number> }): Metrics => {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 20 })
  const builds = buildMetrics(registry)
  const request = requestMetrics(registry)
  const webSub = new Counter({
    name: `${PREFIX}websub_events_total`,
    help: 'WebSub hub events: subscribed, unsubscribed, verification-failed, expired, delivered, delivery-failed',
    labelNames: ['event'],
    registers: [registry],
  })
  new Gauge({
    name: `${PREFIX}store_articles`,
    help: 'Articles in the store',
    registers: [registry],
    async collect() {
      this.set(await options.articles())
    },
  })
  return {
    registry,
    ...builds,
    request,
    webSub: (event) => webSub.inc({ event }),
    render: () => registry.metrics(),
  }
}

/** The build's metrics: builds by result, their duration, outputs by outcome, failures by rule. */
const buildMetrics = (registry: Registry): Pick<Metrics, 'build' | 'buildFailed'> => {
  const buildDuration = new Histogram({
    name: `${PREFIX}build_duration_seconds`,
    help: 'Duration of builds',
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 180, 600],
    registers: [registry],
  })
  const builds = new Counter({
    name: `${PREFIX}builds_total`,
    help: 'Builds by result: ok (ended, maybe with failed outputs), interrupted (shutdown), error (threw)',
    labelNames: ['result'],
    registers: [registry],
  })
  const outputs = new Counter({
    name: `${PREFIX}build_outputs_total`,
    help: 'Outputs handled by builds: rendered, published (bytes changed), unchanged, removed, failed',
    labelNames: ['outcome'],
    registers: [registry],
  })
  const failures = new Counter({
    name: `${PREFIX}build_output_failures_total`,
    help: 'Outputs not published because they failed their parse-back check, by rule',
    labelNames: ['rule'],
    registers: [registry],
  })
  const lastFailed = new Gauge({
    name: `${PREFIX}last_build_failed_outputs`,
    help: 'Outputs the last build could not publish',
    registers: [registry],
  })
  const quarantined = new Gauge({
    name: `${PREFIX}quarantined_items`,
    help: 'Items left out of the documents served now because each made its document fail its check',
    registers: [registry],
  })
  const lastSuccess = new Gauge({
    name: `${PREFIX}last_successful_build_timestamp_seconds`,
    help: 'When the last build that ended without throwing finished (Unix time)',
    registers: [registry],
  })
  return {
    build(report) {
      builds.inc({ result: report.interrupted ? 'interrupted' : 'ok' })
      buildDuration.observe(report.durationMs / 1000)
      outputs.inc({ outcome: 'rendered' }, report.rendered)
      outputs.inc({ outcome: 'published' }, report.published)
      outputs.inc({ outcome: 'unchanged' }, report.unchanged)
      outputs.inc({ outcome: 'removed' }, report.removed)
      outputs.inc({ outcome: 'failed' }, report.failures.length)
      for (const f of report.failures) failures.inc({ rule: f.rule })
      lastFailed.set(report.failures.length)
      quarantined.set(report.quarantinedTotal)
      lastSuccess.set(Date.parse(report.finishedAt) / 1000)
    },
    buildFailed: () => builds.inc({ result: 'error' }),
  }
}

/**
 * The request metrics: answered requests by route class and status, and bytes sent by coding.
 * They are tallied in plain records and handed to prom-client at each scrape: its `inc` hashes
 * the labels on every call, which the feed route cannot afford per request.
 */
const requestMetrics = (registry: Registry): Metrics['request'] => {
  const requestTally: Partial<Record<RouteClass, Record<number, number>>> = {}
  const byteTally: Record<string, number> = {}
  new Counter({
    name: `${PREFIX}http_requests_total`,
    help: 'Answered requests by route class and status (304s: conditional GETs answered from cache)',
    labelNames: ['route', 'status'],
    registers: [registry],
    collect() {
      this.reset()
      for (const [route, statuses] of Object.entries(requestTally))
        for (const [status, n] of Object.entries(statuses)) this.inc({ route, status }, n)
    },
  })
  new Counter({
    name: `${PREFIX}http_response_bytes_total`,
    help: 'Response body bytes sent, by content coding',
    labelNames: ['encoding'],
    registers: [registry],
    collect() {
      this.reset()
      for (const [encoding, n] of Object.entries(byteTally)) this.inc({ encoding }, n)
    },
  })
  return function request(route, status, encoding, sent) {
    const statuses = (requestTally[route] ??= {})
    statuses[status] = (statuses[status] ?? 0) + 1
    if (sent > 0) byteTally[encoding] = (byteTally[encoding] ?? 0) + sent
  }
}
