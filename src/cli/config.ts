// `feedwright config`: the effective configuration and where each value came from, secrets masked.
import { explainConfig } from '../config.js'
import { type Command, UsageError } from './io.js'

export const CONFIG_HELP = `Usage: feedwright config

Prints the effective configuration: each key, its value, and where it came from (the file named by
FEEDWRIGHT_CONFIG or ./feedwright.config.json, the environment, or the default). Secrets are masked.
Exits 1 with one line per mistake when the configuration is not valid.`

const describe = (value: unknown): string =>
  value === undefined ? '(unset)' : typeof value === 'string' ? value : JSON.stringify(value)

export const configCommand: Command = async (args, io) => {
  if (args.length > 0) throw new UsageError(`config takes no arguments (got ${args.join(' ')})`)
  const { values } = explainConfig(io.env)
  const width = Math.max(...values.map((v) => v.key.length))
  for (const { key, value, source, env } of values) {
    const from = source === 'environment' ? `environment ${env}` : source
    io.out(`${key.padEnd(width)}  ${describe(value)}  (${from})`)
  }
  return 0
}
