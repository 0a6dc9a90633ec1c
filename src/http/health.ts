// GET /healthz (the process answers), GET /readyz (it serves what it should) and GET /metrics.
import { Hono } from 'hono'
import type { BuildReport } from '../builder/report.js'
import { bearerAuth } from './auth.js'
import { problemResponse } from './problem.js'

export interface HealthOptions {
  /** The latest build's report, summarised by /healthz. */
  lastBuild: () => BuildReport | undefined
  published: () => number
  /** Reasons for not being ready; empty when ready. */
  notReady?: () => Promise<Array<{ reason: string; detail: string }>>
  /** The Prometheus text, when metrics are on. */
  metrics?: { render: () => Promise<string>; contentType: string; token?: string | undefined }
  /** The cluster worker answering (WORKERS > 1), named by /healthz; absent in a single process. */
  worker?: { id: number; pid: number }
}

export const healthRoutes = ({
  lastBuild,
  published,
  notReady,
  metrics,
  worker,
}: HealthOptions) => {
  const app = new Hono()
  // Liveness: no I/O, so it answers while the process can answer anything.
  app.get('/healthz', (c) => {
    const report = lastBuild()
    c.header('Cache-Control', 'no-store')
    return c.json({
      status: 'ok',
      outputs: published(),
      lastBuild: report && {
        id: report.id,
        finishedAt: report.finishedAt,
        durationMs: Math.round(report.durationMs),
        failures: report.failures.length,
      },
      ...(worker && { worker }),
    })
  })
  if (notReady) {
    app.get('/readyz', async (c) => {
      const reasons = await notReady()
      c.header('Cache-Control', 'no-store')
      if (reasons.length === 0) return c.json({ status: 'ready' })
      return problemResponse(
        c,
        503,
        reasons.map((r) => r.detail).join('; '),
        { reasons },
        { 'Cache-Control': 'no-store' },
      )
    })
  }
  if (metrics) {
    const { render, contentType, token } = metrics
    // Its own token (METRICS_TOKEN), so a scraper needs no admin rights; open when unset.
    if (token) app.use('/metrics', bearerAuth({ token }))
    app.get('/metrics', async (c) => {
      c.header('Cache-Control', 'no-store')
      return c.body(await render(), 200, { 'Content-Type': contentType })
    })
  }
  return app
}
