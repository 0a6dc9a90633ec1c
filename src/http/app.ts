// The Hono app: middleware order and sub-apps, no logic of its own.
import { Hono } from 'hono'
import type { BuildReport } from '../builder/report.js'
import type { Scheduler } from '../builder/scheduler.js'
import type { PublishedOutputs } from '../publish/outputs.js'
import type { Shelf } from '../publish/shelf.js'
import type { Store } from '../store/store.js'
import { apiRoutes } from './api.js'
import { articleRoutes } from './articles.js'
import { feedRoutes, publishedHandler } from './feeds.js'
import { healthRoutes, type HealthOptions } from './health.js'
import { clientAddress } from './middleware/polite-polling.js'
import { handleError, notFound } from './problem.js'
import { webSubRoutes } from './websub.js'
import type { Hub } from '../websub/index.js'

export interface AppOptions {
  outputs: PublishedOutputs
  store: Store
  scheduler: Scheduler
  adminToken: string | undefined
  clock: () => Date
  /** The latest build's report, for /healthz. */
  lastBuild: () => BuildReport | undefined
  /** Reasons for not being ready (GET /readyz); no /readyz without it. */
  notReady?: HealthOptions['notReady']
  /** GET /metrics, when metrics are on. */
  metrics?: HealthOptions['metrics']
  maxAgeSeconds: number
  siteUrl: string
  hubUrl: string
  /** The archives, on disk. */
  shelf?: Shelf
  /** The built-in WebSub hub, served at /websub; absent with an external hub. */
  hub?: Hub
  /** POST /websub requests per minute from one client (0: no limit). */
  hubRequestsPerMinute?: number
  politePollingSeconds?: number
  trustProxy?: boolean
  log: (error: unknown) => void
  /** The cluster worker this app runs in, named by /healthz. */
  worker?: HealthOptions['worker']
}

export const createApp = (options: AppOptions) => {
  const { outputs, store, lastBuild, log, hub } = options
  const app = new Hono()
  if (hub) {
    const clientOf = clientAddress(options.trustProxy ?? false)
    const requestsPerMinute = options.hubRequestsPerMinute ?? 0
    app.route('/websub', webSubRoutes(hub, { requestsPerMinute, clientOf }))
  }
  return (
    app
      .all('/', publishedHandler(options))
      .all('/feeds.opml', publishedHandler(options))
      // The site feed's page for people is the /feeds/ folder, as a static host would serve it.
      .get('/feeds', (c) => c.redirect('/feeds/', 301))
      .route('/feeds', feedRoutes(options))
      .route('/articles', articleRoutes({ store: store.articles, clock: options.clock }))
      .route('/api', apiRoutes(options))
      .route(
        '/',
        healthRoutes({
          lastBuild,
          published: () => outputs.list().length,
          ...(options.notReady && { notReady: options.notReady }),
          ...(options.metrics && { metrics: options.metrics }),
          ...(options.worker && { worker: options.worker }),
        }),
      )
      .notFound(notFound)
      .onError(handleError(log))
  )
}
