// `feedwright serve`: start the service and stop it cleanly on SIGINT/SIGTERM (what `npm start` runs).
import { loadConfig } from '../config.js'
import { FEED_FORMATS } from '../feeds/formats.js'
import { isFeed } from '../publish/outputs.js'
import { type Logger, startService } from '../service.js'
import { type Command, UsageError } from './io.js'

export const SERVE_HELP = `Usage: feedwright serve

Runs the service: builds every feed, then serves them and the API, rebuilding on FEED_CRON.
Configuration: feedwright.config.json and the environment (PORT, HOST, SITE_URL, DATA_DIR, …).`

export const serve: Command = async (args, io) => {
  if (args.length > 0) throw new UsageError(`serve takes no arguments (got ${args.join(' ')})`)
  const log: Logger = {
    info: (message) => io.out(`[feedwright] ${message}`),
    error: (message, error) =>
      io.err(
        `[feedwright] ${message}${error === undefined ? '' : ` ${error instanceof Error ? error.stack : String(error)}`}`,
      ),
  }
  const config = loadConfig(io.env)
  const service = await startService(config, log)
  log.info(`serving on ${service.url} (site URL ${config.site.url})`)
  log.info(`  index         ${service.url}/`)
  log.info(`  OPML          ${service.url}/feeds.opml (every feed, for a reader's import)`)
  for (const output of service.outputs.list()) {
    if (!isFeed(output.format) || output.urlPath.slice('/feeds/'.length).includes('/')) continue
    log.info(`  ${FEED_FORMATS[output.format].label.padEnd(13)} ${service.url}${output.urlPath}`)
  }
  const archived = service.shelf?.list().length ?? 0
  log.info(
    `  ${service.outputs.list().length} documents, and ${archived} in the monthly archives ` +
      `(${service.url}/feeds/archive/); WebSub hub ${service.config.hubUrl}; ` +
      `health: ${service.url}/healthz`,
  )
  if (!config.adminToken) log.info('admin API disabled: set FEEDWRIGHT_ADMIN_TOKEN to enable it')
  return new Promise<number>((resolve) => {
    const shutdown = (signal: string) => {
      log.info(`${signal}: stopping`)
      service.close().then(
        () => resolve(0),
        (error) => {
          log.error('shutdown failed', error)
          resolve(1)
        },
      )
    }
    process.once('SIGINT', shutdown)
    process.once('SIGTERM', shutdown)
  })
}
