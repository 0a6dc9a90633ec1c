// Entry point of `npm start`: read the configuration, start the service, stop cleanly on signals.
import { loadConfig } from './config.js'
import { FEED_FORMATS } from './feeds/formats.js'
import { type Logger, startService } from './service.js'

const log: Logger = {
  info: (message) => console.log(`[feedwright] ${message}`),
  error: (message, error) => console.error(`[feedwright] ${message}`, error ?? ''),
}

try {
  const config = loadConfig(process.env)
  const service = await startService(config, log)
  log.info(`serving on ${service.url} (site URL ${config.site.url})`)
  for (const output of service.outputs.list().filter((o) => !o.urlPath.slice(7).includes('/'))) {
    log.info(`  ${FEED_FORMATS[output.format].label.padEnd(13)} ${service.url}${output.urlPath}`)
  }
  log.info(
    `  ${service.outputs.list().length} feed documents in all; health: ${service.url}/healthz`,
  )
  const shutdown = (signal: string) => {
    log.info(`${signal}: stopping`)
    service.close().then(
      () => process.exit(0),
      (error) => {
        log.error('shutdown failed', error)
        process.exit(1)
      },
    )
  }
  process.once('SIGINT', shutdown)
  process.once('SIGTERM', shutdown)
} catch (error) {
  console.error(
    `[feedwright] cannot start: ${error instanceof Error ? error.message : String(error)}`,
  )
  process.exit(1)
}
