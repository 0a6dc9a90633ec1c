// The service's log: pino JSON lines for collectors, or readable lines when a person watches a TTY.
import { pino, type DestinationStream, type Level, type Logger as Pino } from 'pino'

/** What every module logs with; fields become JSON keys (a build's figures, a request's). */
export interface Logger {
  info(message: string, fields?: Record<string, unknown>): void
  /** The error's message (and causes') always; its stack only at debug level. */
  error(message: string, error?: unknown, fields?: Record<string, unknown>): void
  debug?(message: string, fields?: Record<string, unknown>): void
}

export interface LogOptions {
  level: Level | 'silent'
  /** Readable lines instead of JSON: stdout is a terminal. */
  pretty: boolean
  /** Where lines go; stdout by default (tests pass their own). */
  write?: (line: string) => void
}

/** An error's message followed by its causes' (`a: b: c`), without a stack. */
export const describeError = (error: unknown): string => {
  const parts: string[] = []
  let current: unknown = error
  for (let depth = 0; current !== undefined && depth < 5; depth += 1) {
    parts.push(current instanceof Error ? current.message : String(current))
    current = current instanceof Error ? current.cause : undefined
  }
  return parts.join(': ')
}

/** A pino line as a person reads it: `12:00:01.123 INFO message key=value …`. */
export const prettyLine = (json: string): string => {
  const {
    level,
    time,
    msg,
    pid: _pid,
    hostname: _host,
    ...fields
  } = JSON.parse(json) as {
    level: string
    time: string
    msg?: string
    pid?: number
    hostname?: string
  } & Record<string, unknown>
  const clock = String(time).slice(11, 23)
  const rest = Object.entries(fields)
    .filter(([key]) => key !== 'stack')
    .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`)
  const stack = typeof fields.stack === 'string' ? `\n${fields.stack}` : ''
  const name = String(level).toUpperCase().padEnd(5)
  return `${clock} ${name} ${msg ?? ''}${rest.length ? `  ${rest.join(' ')}` : ''}${stack}\n`
}

/** The service's logger. Lines are written synchronously, so none is lost at exit. */
export const createLogger = (options: LogOptions): Logger & { pino: Pino } => {
  const write = options.write ?? ((line: string) => void process.stdout.write(line))
  const destination: DestinationStream = {
    write: options.pretty ? (line) => write(prettyLine(line)) : write,
  }
  const logger = pino(
    {
      level: options.level,
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      // Level names, not numbers: read by people and log collectors alike.
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  )
  const atDebug = logger.isLevelEnabled('debug')
  return {
    pino: logger,
    info: (message, fields) => logger.info(fields ?? {}, message),
    debug: (message, fields) => logger.debug(fields ?? {}, message),
    error: (message, error, fields) =>
      logger.error(
        {
          ...fields,
          ...(error !== undefined && { error: describeError(error) }),
          ...(atDebug && error instanceof Error && { stack: error.stack }),
        },
        message,
      ),
  }
}
