// `feedwright serve`: start the service and stop it cleanly on SIGINT/SIGTERM (what `npm start` runs).
import cluster from 'node:cluster'
import { startCluster } from '../cluster/primary.js'
import { runWorker } from '../cluster/worker.js'
import { loadConfig } from '../config.js'
import { FEED_FORMATS } from '../feeds/formats.js'
import { ARCHIVE_ROOT, documentPathOf, INDEX_PATH, OPML_PATH, SITE_PATH } from '../feeds/paths.js'
import { createLogger } from '../log.js'
import { isFeed } from '../publish/outputs.js'
import { startService } from '../service.js'
import { type Command, UsageError } from './io.js'

export const SERVE_HELP = `Usage: feedwright serve [--workers N|auto]

Runs the service: serves what the last run published, builds every feed, then serves them and
the API, rebuilding on FEED_CRON.
--workers (WORKERS): serving processes on one port beside one builder; auto: one per core;
1 (the default): one process builds and serves.
Configuration: feedwright.config.json and the environment (PORT, HOST, SITE_URL, DATA_DIR, …).
Logs: JSON lines (pino) unless stdout is a terminal; LOG_LEVEL, ACCESS_LOG=true.
SIGTERM/SIGINT: stops within ${10} s, cutting a running build at its next feed or archive month.`

/** Container runtimes send SIGKILL after their grace period (10 s at the shortest). */
const EXIT_DEADLINE_MS = 9_500

/** The value of `--workers N` or `--workers=N`, checked as WORKERS is; undefined without it. */
const workersOption = (args: string[]): string | undefined => {
  const [first, second, ...rest] = args
  const value = first?.startsWith('--workers=') ? first.slice('--workers='.length) : second
  const taken = first?.startsWith('--workers=') ? [second, ...rest] : rest
  if (first === undefined) return undefined
  if ((first !== '--workers' && !first.startsWith('--workers=')) || taken.some(Boolean))
    throw new UsageError(`serve takes only --workers N (got ${args.join(' ')})`)
  if (value === undefined || !/^(auto|[0-9]+)$/.test(value))
    throw new UsageError(
      `--workers takes a number of processes or auto (got ${value ?? 'nothing'})`,
    )
  return value
}

export const serve: Command = async (args, io) => {
  const workers = workersOption(args)
  const config = loadConfig(workers === undefined ? io.env : { ...io.env, WORKERS: workers })
  const log = createLogger({ level: config.logLevel, pretty: process.stdout.isTTY === true })
  if (cluster.isWorker) return runWorker(config, log)
  // Signals are heard from the start: a start-up build is cut short too.
  const stop = new AbortController()
  const stopped = new Promise<string>((resolve) => {
    const onSignal = (signal: string) => {
      stop.abort()
      resolve(signal)
    }
    process.once('SIGINT', onSignal)
    process.once('SIGTERM', onSignal)
  })
  const service =
    config.workers > 1
      ? await startCluster(config, log, { signal: stop.signal, size: config.workers })
      : await startService(config, log, { signal: stop.signal })
  if (config.workers > 1)
    log.info(`${config.workers} worker processes serve; this one (pid ${process.pid}) builds`)
  log.info(`serving on ${service.url} (site URL ${config.site.url})`, { url: service.url })
  log.info(`  index         ${service.url}${INDEX_PATH}`)
  log.info(`  OPML          ${service.url}${OPML_PATH} (every feed, for a reader's import)`)
  for (const output of service.outputs.list()) {
    if (!isFeed(output.format) || documentPathOf(output.urlPath) !== SITE_PATH) continue
    log.info(`  ${FEED_FORMATS[output.format].label.padEnd(13)} ${service.url}${output.urlPath}`)
  }
  const archived = service.shelf?.list().length ?? 0
  log.info(
    `  ${service.outputs.list().length} documents in memory, and ${archived} on disk: stable pages ` +
      `and the monthly archives (${service.url}${ARCHIVE_ROOT}); WebSub hub ${service.config.hubUrl}; ` +
      `health: ${service.url}/healthz, readiness: ${service.url}/readyz` +
      (service.metrics ? `, metrics: ${service.url}/metrics` : ''),
  )
  if (!config.adminToken) log.info('admin API disabled: set FEEDWRIGHT_ADMIN_TOKEN to enable it')

  const signal = await stopped
  const started = performance.now()
  log.info(`${signal}: stopping`, { signal })
  // A backstop only: the steps below are bounded, but a stuck one must not outlive the grace period.
  const deadline = setTimeout(() => {
    log.error(`${signal}: not stopped within ${EXIT_DEADLINE_MS} ms; exiting anyway`)
    process.exit(1)
  }, EXIT_DEADLINE_MS)
  deadline.unref()
  try {
    await service.close()
    log.info(`stopped in ${Math.round(performance.now() - started)} ms`, {
      stopMs: Math.round(performance.now() - started),
    })
    return 0
  } catch (error) {
    log.error('shutdown failed', error)
    return 1
  } finally {
    clearTimeout(deadline)
  }
}
