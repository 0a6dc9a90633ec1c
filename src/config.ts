// The one reader of feedwright.config.json and the environment; everything else gets values passed in.
import { existsSync, readFileSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import { dirname, resolve } from 'node:path'
import { validate as isValidCron } from 'node-cron'
import * as v from 'valibot'
import { closest } from './lib/closest.js'
import { cronIntervalSeconds } from './lib/cron-interval.js'
import { ConfigError } from './lib/errors.js'
import { httpUrl } from './lib/urls.js'

// Feed and item URLs are built as `${siteUrl}/…`.
const baseUrl = v.pipe(
  httpUrl,
  v.transform((value) => value.replace(/\/+$/, '')),
)

// Labels or slugs of categories, tags and authors; matched by slug.
const facetNames = v.optional(v.array(v.pipe(v.string(), v.minLength(1))), [])
const FacetChoiceSchema = v.strictObject({
  categories: facetNames,
  tags: facetNames,
  authors: facetNames,
})

const CustomFeedSchema = v.strictObject({
  slug: v.pipe(v.string(), v.regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'must be a slug')),
  title: v.pipe(v.string(), v.minLength(1)),
  description: v.pipe(v.string(), v.minLength(1)),
  include: v.pipe(
    FacetChoiceSchema,
    v.check(
      (c) => c.categories.length + c.tags.length + c.authors.length > 0,
      'must name at least one category, tag or author',
    ),
  ),
  exclude: v.optional(FacetChoiceSchema, { categories: [], tags: [], authors: [] }),
})

const seconds = v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(31_536_000))
const count = (min: number, max: number) =>
  v.pipe(v.number(), v.integer(), v.minValue(min), v.maxValue(max))
const milliseconds = v.pipe(
  v.number('must be milliseconds 1–3600000'),
  v.integer('must be milliseconds 1–3600000'),
  v.minValue(1, 'must be milliseconds 1–3600000'),
  v.maxValue(3_600_000, 'must be milliseconds 1–3600000'),
)
const WebSubSchema = v.pipe(
  v.strictObject({
    /** An external hub to advertise and ping; the built-in hub at /websub when absent. */
    hubUrl: v.optional(baseUrl),
    defaultLeaseSeconds: v.optional(seconds, 10 * 86_400),
    minLeaseSeconds: v.optional(seconds, 60),
    maxLeaseSeconds: v.optional(seconds, 30 * 86_400),
    /** Delivery (and publish ping) attempts, the first included, with exponential backoff. */
    attempts: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(20)), 6),
    retryBaseMs: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1)), 5_000),
    timeoutMs: v.optional(v.pipe(v.number(), v.integer(), v.minValue(100)), 10_000),
    /** Accept callbacks on loopback and private networks (tests, intranets); off on the internet. */
    allowPrivateCallbacks: v.optional(v.boolean(), false),
    /** How often leases are checked for expiry. */
    sweepSeconds: v.optional(seconds, 60),
    // Verifications and deliveries wait in queues of their own, so that neither starves the other,
    // and each callback host gets only a few requests at a time: a slow one only slows itself.
    /** Intent verifications in flight at once, over every callback host. */
    verifyConcurrency: v.optional(count(1, 1_000), 16),
    /** Content deliveries in flight at once, over every callback host. */
    deliveryConcurrency: v.optional(count(1, 1_000), 32),
    /** Requests in flight to one callback host at once (verifications and deliveries each). */
    hostConcurrency: v.optional(count(1, 100), 2),
    /** Verifications waiting or running, at most; a request beyond is answered 503. */
    maxPendingVerifications: v.optional(count(1, 1_000_000), 1_000),
    /** … for one callback host, and for one topic; a request beyond is answered 429. */
    maxPendingPerHost: v.optional(count(1, 1_000_000), 20),
    maxPendingPerTopic: v.optional(count(1, 1_000_000), 200),
    /** POST /websub requests per minute from one client address; beyond, 429 (0: no limit). */
    requestsPerMinute: v.optional(count(0, 1_000_000), 60),
  }),
  v.check((w) => w.minLeaseSeconds <= w.maxLeaseSeconds, 'minLeaseSeconds exceeds maxLeaseSeconds'),
  v.check(
    (w) => w.defaultLeaseSeconds >= w.minLeaseSeconds && w.defaultLeaseSeconds <= w.maxLeaseSeconds,
    'defaultLeaseSeconds must lie between minLeaseSeconds and maxLeaseSeconds',
  ),
)

/** A whole number in [min, max]; every failure says the same thing, in the operator's words. */
const whole = (min: number, max: number, what: string) =>
  v.pipe(v.number(what), v.integer(what), v.minValue(min, what), v.maxValue(max, what))
const text = (what: string) => v.pipe(v.string(what), v.minLength(1, what))
const flag = v.boolean('must be true or false')
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const

const WORKERS_RULE = 'must be a whole number of processes 1–256, or auto (one per core)'
/** `auto` is one serving process per core (os.availableParallelism), resolved once here. */
const Workers = v.pipe(
  v.union([v.literal('auto'), v.number()], WORKERS_RULE),
  v.transform((value) => (value === 'auto' ? availableParallelism() : value)),
  whole(1, 256, WORKERS_RULE),
)

const ConfigSchema = v.strictObject({
  site: v.strictObject({
    title: text('must be a non-empty title'),
    description: text('must be a non-empty description'),
    url: baseUrl,
    language: v.pipe(
      v.string('must be a language tag'),
      v.regex(/^[a-z]{2,3}(?:-[a-z0-9]{2,8})*$/i, 'must be a language tag'),
    ),
    copyright: v.optional(v.string('must be text')),
  }),
  // 0 (any free port) is for tests; operators are told about the usable range.
  port: whole(0, 65_535, 'must be a port number 1–65535'),
  host: text('must be a host name or address'),
  dataDir: text('must be a directory path'),
  feedsDir: text('must be a directory path'),
  /**
   * A folder of article JSON files that seeds an empty store: the shipped demo's setting only.
   * Never set by `init` nor by the environment, so a site of one's own never gets demo articles.
   */
  seedFrom: v.optional(text('must be a directory path')),
  feedCron: v.pipe(
    v.string('must be a cron expression'),
    v.check(isValidCron, 'must be a cron expression'),
  ),
  feedLimit: whole(1, 1_000, 'must be a whole number of items 1–1000'),
  /** RFC 5005 pages per feed, the subscription document included. */
  feedPages: whole(1, 100, 'must be a whole number of pages 1–100'),
  /** Monthly RFC 5005 archive documents of the site feed. */
  archives: flag,
  /** Articles one archive document holds at most: a month with more is cut into parts. */
  archiveDocumentItems: whole(1, 100_000, 'must be a whole number of items 1–100000'),
  /** Estimated bytes of articles one archive document holds at most (64 KiB–1 GiB). */
  archiveDocumentBytes: whole(
    65_536,
    1_073_741_824,
    'must be a whole number of bytes 65536–1073741824',
  ),
  websub: WebSubSchema,
  rebuildDebounceMs: whole(0, 600_000, 'must be milliseconds 0–600000'),
  customFeeds: v.pipe(
    v.array(CustomFeedSchema, 'must be a list of custom feeds'),
    v.check(
      (feeds) => new Set(feeds.map((f) => f.slug)).size === feeds.length,
      'slugs must be unique',
    ),
  ),
  politePollingSeconds: whole(0, 86_400, 'must be seconds 0–86400'),
  trustProxy: flag,
  databaseUrl: v.optional(text('must be a postgres:// URL')),
  /** PostgreSQL: how long to wait for a connection, and for one statement's answer. */
  databaseConnectTimeoutMs: milliseconds,
  databaseStatementTimeoutMs: milliseconds,
  /** A failed build is retried after this, doubled after each failure in a row up to the max. */
  buildRetryBaseMs: milliseconds,
  buildRetryMaxMs: milliseconds,
  databaseSchema: v.pipe(
    v.string('must be a lower-case SQL name'),
    v.regex(/^[a-z_][a-z0-9_]{0,62}$/, 'must be a lower-case SQL name'),
  ),
  adminToken: v.optional(
    v.pipe(
      v.string('must be at least 16 characters'),
      // A Bearer token (RFC 6750 §2.1) has no spaces: one with any could never authenticate.
      v.regex(/^\S*$/, 'must not contain spaces or other whitespace'),
      v.minLength(16, 'must be at least 16 characters'),
    ),
  ),
  logLevel: v.picklist(LOG_LEVELS, `must be one of ${LOG_LEVELS.join(', ')}`),
  /** One log line per request (method, path, status, bytes, duration, encoding). */
  accessLog: flag,
  /** GET /metrics in the Prometheus text format. */
  metrics: flag,
  /** A bearer token /metrics asks for, apart from the admin token; open when unset. */
  metricsToken: v.optional(
    v.pipe(
      v.string('must be at least 16 characters'),
      v.regex(/^\S*$/, 'must not contain spaces or other whitespace'),
      v.minLength(16, 'must be at least 16 characters'),
    ),
  ),
  /** /readyz fails when the last successful build is older than this many FEED_CRON periods. */
  readyBuildPeriods: whole(1, 1_000, 'must be a whole number of build periods 1–1000'),
  /**
   * Worker threads that render and check documents (0: on the main thread). Unset: one per core
   * but one, at least one (builder/workers.ts), so the serving thread keeps a core to itself.
   */
  buildThreads: v.optional(whole(0, 64, 'must be a whole number of threads 0–64 (0: in-process)')),
  /** Serving processes on one port (node:cluster) beside one builder; 1: one process does both. */
  workers: Workers,
  /**
   * The old generation of each build thread's heap, in MiB (unset: builder/workers.ts's default).
   * A document needing more is made in-process instead: raise it for feed pages of huge articles.
   */
  buildThreadHeapMb: v.optional(whole(16, 4_096, 'must be a whole number of MiB 16–4096')),
})

/** The validated configuration, plus what is derived from it once. */
export type Config = Readonly<
  v.InferOutput<typeof ConfigSchema> & {
    /** How often feeds are rebuilt on schedule: RSS <ttl> and Cache-Control max-age come from it. */
    feedTtlSeconds: number
    /** The WebSub hub every feed advertises: the external one, or the built-in /websub. */
    hubUrl: string
  }
>
export type SiteConfig = Config['site']
export type CustomFeedConfig = Config['customFeeds'][number]

/** Where a value of the effective configuration came from. */
export type ConfigSource = 'default' | 'file' | 'environment'

/** One value of the effective configuration, for `feedwright config`. */
export interface ConfigValue {
  /** Dotted key, as in the file. */
  key: string
  /** Shown as is; secrets masked. */
  value: unknown
  source: ConfigSource
  /** The variable that sets it, if any. */
  env?: string
}

/** An environment variable: the key it sets, how it is read, and an example for messages. */
interface EnvSetting {
  env: string
  key: string
  kind: 'text' | 'number' | 'boolean' | 'path'
  example: string
  /** Only from the environment, and masked when shown. */
  secret?: boolean
}

/** Every environment variable the service reads (the README's table follows this list). */
export const ENV_SETTINGS: readonly EnvSetting[] = [
  { env: 'PORT', key: 'port', kind: 'number', example: '8080' },
  { env: 'HOST', key: 'host', kind: 'text', example: '0.0.0.0' },
  { env: 'SITE_URL', key: 'site.url', kind: 'text', example: 'https://news.example.org' },
  { env: 'DATA_DIR', key: 'dataDir', kind: 'path', example: '/var/lib/feedwright' },
  { env: 'FEEDS_DIR', key: 'feedsDir', kind: 'path', example: '/var/lib/feedwright/feeds' },
  { env: 'FEED_CRON', key: 'feedCron', kind: 'text', example: '*/5 * * * *' },
  { env: 'FEED_LIMIT', key: 'feedLimit', kind: 'number', example: '50' },
  { env: 'FEED_PAGES', key: 'feedPages', kind: 'number', example: '5' },
  { env: 'ARCHIVES', key: 'archives', kind: 'boolean', example: 'true' },
  { env: 'ARCHIVE_DOCUMENT_ITEMS', key: 'archiveDocumentItems', kind: 'number', example: '100' },
  {
    env: 'ARCHIVE_DOCUMENT_BYTES',
    key: 'archiveDocumentBytes',
    kind: 'number',
    example: '2097152',
  },
  { env: 'WEBSUB_HUB_URL', key: 'websub.hubUrl', kind: 'text', example: 'https://hub.example' },
  { env: 'REBUILD_DEBOUNCE_MS', key: 'rebuildDebounceMs', kind: 'number', example: '2000' },
  { env: 'POLITE_POLLING_SECONDS', key: 'politePollingSeconds', kind: 'number', example: '60' },
  { env: 'TRUST_PROXY', key: 'trustProxy', kind: 'boolean', example: 'true' },
  {
    env: 'DATABASE_URL',
    key: 'databaseUrl',
    kind: 'text',
    example: 'postgres://feedwright@db/feedwright',
    secret: true,
  },
  { env: 'DATABASE_SCHEMA', key: 'databaseSchema', kind: 'text', example: 'feedwright' },
  {
    env: 'DATABASE_CONNECT_TIMEOUT_MS',
    key: 'databaseConnectTimeoutMs',
    kind: 'number',
    example: '5000',
  },
  {
    env: 'DATABASE_STATEMENT_TIMEOUT_MS',
    key: 'databaseStatementTimeoutMs',
    kind: 'number',
    example: '30000',
  },
  {
    env: 'FEEDWRIGHT_ADMIN_TOKEN',
    key: 'adminToken',
    kind: 'text',
    example: '$(openssl rand -hex 32)',
    secret: true,
  },
  { env: 'LOG_LEVEL', key: 'logLevel', kind: 'text', example: 'debug' },
  { env: 'ACCESS_LOG', key: 'accessLog', kind: 'boolean', example: 'true' },
  { env: 'METRICS', key: 'metrics', kind: 'boolean', example: 'false' },
  {
    env: 'METRICS_TOKEN',
    key: 'metricsToken',
    kind: 'text',
    example: '$(openssl rand -hex 32)',
    secret: true,
  },
  { env: 'READY_BUILD_PERIODS', key: 'readyBuildPeriods', kind: 'number', example: '3' },
  { env: 'BUILD_THREADS', key: 'buildThreads', kind: 'number', example: '2' },
  { env: 'WORKERS', key: 'workers', kind: 'number', example: 'auto' },
  { env: 'BUILD_THREAD_HEAP_MB', key: 'buildThreadHeapMb', kind: 'number', example: '96' },
]

// Values when neither the file nor the environment sets one; site.url follows the port.
const DEFAULTS: Readonly<Record<string, unknown>> = {
  'site.title': 'feedwright',
  'site.description': 'Articles published with feedwright',
  'site.language': 'en',
  port: 3000,
  host: '127.0.0.1',
  dataDir: 'data',
  feedsDir: 'feeds',
  feedCron: '*/5 * * * *',
  feedLimit: 50,
  feedPages: 5,
  archives: true,
  archiveDocumentItems: 100,
  archiveDocumentBytes: 2_097_152,
  rebuildDebounceMs: 2_000,
  customFeeds: [],
  politePollingSeconds: 0,
  trustProxy: false,
  databaseSchema: 'public',
  databaseConnectTimeoutMs: 5_000,
  databaseStatementTimeoutMs: 30_000,
  buildRetryBaseMs: 1_000,
  buildRetryMaxMs: 60_000,
  logLevel: 'info',
  accessLog: false,
  metrics: true,
  readyBuildPeriods: 3,
  workers: 1,
}

// Examples of file keys that no variable sets, for messages.
const FILE_EXAMPLES: Readonly<Record<string, string>> = {
  'site.title': '"Example News"',
  'site.language': '"en"',
  customFeeds: '[{ "slug": "space", "title": "Space", "description": "…", "include": { … } }]',
}

// Nested objects whose keys are set one by one (so that the file and the environment mix).
const NESTED = new Set(['site', 'websub'])
// Directories, resolved against the working directory.
const PATHS = new Set(ENV_SETTINGS.filter((s) => s.kind === 'path').map((s) => s.key))

const numberFrom = (value: string): number | string => {
  const n = Number(value)
  return Number.isFinite(n) ? n : value
}

const booleanFrom = (value: string): boolean | string => {
  if (/^(1|true|yes)$/i.test(value)) return true
  if (/^(0|false|no)$/i.test(value)) return false
  return value
}

/** The keys a valibot object schema knows, through its pipes, optionals and arrays. */
const shapeOf = (schema: unknown): Record<string, unknown> | undefined => {
  if (typeof schema !== 'object' || schema === null) return undefined
  const s = schema as { entries?: Record<string, unknown>; pipe?: unknown[]; wrapped?: unknown }
  if (s.entries) return s.entries
  if (s.pipe) return shapeOf(s.pipe[0])
  if (s.wrapped) return shapeOf(s.wrapped)
  return undefined
}

const itemOf = (schema: unknown): unknown => {
  if (typeof schema !== 'object' || schema === null) return undefined
  const s = schema as { item?: unknown; pipe?: unknown[]; wrapped?: unknown }
  return s.item ?? (s.pipe ? itemOf(s.pipe[0]) : s.wrapped ? itemOf(s.wrapped) : undefined)
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

/** Every key in `value` that `schema` does not know, anywhere in it, with the closest known one. */
const unknownKeys = (schema: unknown, value: unknown, path: string): string[] => {
  if (Array.isArray(value)) {
    const item = itemOf(schema)
    return item ? value.flatMap((v, i) => unknownKeys(item, v, `${path}[${i}]`)) : []
  }
  const shape = shapeOf(schema)
  if (!shape || !isRecord(value)) return []
  const known = Object.keys(shape)
  return Object.entries(value).flatMap(([key, inner]) => {
    const at = path ? `${path}.${key}` : key
    if (key in shape) return unknownKeys(shape[key], inner, at)
    const near = closest(key, known)
    return [
      `unknown key "${at}"${near ? `; did you mean "${path ? `${path}.` : ''}${near}"?` : ''}`,
    ]
  })
}

const readFileConfig = (path: string, required: boolean): Record<string, unknown> => {
  if (!existsSync(path)) {
    if (!required) return {}
    throw new ConfigError(
      `config: FEEDWRIGHT_CONFIG names ${path}, which does not exist; ` +
        'unset it to use ./feedwright.config.json, or point it at the file',
    )
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'))
  } catch (cause) {
    throw new ConfigError(`config: ${path} is not valid JSON`, { cause })
  }
  if (!isRecord(parsed)) throw new ConfigError(`config: ${path} must hold a JSON object`)
  // Secrets never live in a file that could be committed.
  for (const { key, env } of ENV_SETTINGS.filter((s) => s.secret)) {
    if (key in parsed) {
      throw new ConfigError(`config: ${key} must not be in ${path}; set ${env} in the environment`)
    }
  }
  const unknown = unknownKeys(ConfigSchema, parsed, '')
  if (unknown.length > 0) throw configError(unknown.map((u) => `${path}: ${u}`))
  return parsed
}

const configError = (problems: readonly string[]): ConfigError =>
  new ConfigError(
    problems.length === 1
      ? `config: ${problems[0]}`
      : `config: ${problems.length} problems:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
  )

// Shows what was given as the operator wrote it.
const shown = (value: unknown): string =>
  typeof value === 'string' ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value))

/** Masks a secret: a database URL keeps all but its password, a token shows nothing. */
const mask = (key: string, value: unknown): unknown => {
  if (typeof value !== 'string') return value
  if (key !== 'databaseUrl') return '********'
  try {
    const url = new URL(value)
    if (url.password) url.password = '****'
    return url.toString()
  } catch {
    return '********'
  }
}

type Entry = { value: unknown; source: ConfigSource; env?: string }

/** Every key's value and its source: defaults, then the file, then the environment. */
const collect = (
  env: Record<string, string | undefined>,
  file: Record<string, unknown>,
  cwd: string,
): Map<string, Entry> => {
  const flat = new Map<string, Entry>()
  for (const [key, value] of Object.entries(DEFAULTS)) flat.set(key, { value, source: 'default' })
  for (const [key, value] of Object.entries(file)) {
    if (NESTED.has(key) && isRecord(value)) {
      for (const [inner, v] of Object.entries(value))
        flat.set(`${key}.${inner}`, { value: v, source: 'file' })
    } else flat.set(key, { value, source: 'file' })
  }
  for (const setting of ENV_SETTINGS) {
    const raw = env[setting.env]
    // Blank is unset; but a token of spaces is a mistake to refuse, not a missing token.
    if (raw === undefined || raw === '' || (setting.kind !== 'text' && raw.trim() === '')) continue
    const value =
      setting.kind === 'number'
        ? numberFrom(raw)
        : setting.kind === 'boolean'
          ? booleanFrom(raw)
          : raw
    flat.set(setting.key, { value, source: 'environment', env: setting.env })
  }
  if (!flat.has('site.url')) {
    // A bad PORT is reported once, as itself, not again as a bad site URL.
    const port = flat.get('port')?.value
    const usable = v.is(ConfigSchema.entries.port, port) ? port : 3000
    flat.set('site.url', { value: `http://localhost:${usable}`, source: 'default' })
  }
  for (const key of PATHS) {
    const entry = flat.get(key)
    if (entry && typeof entry.value === 'string' && entry.value !== '')
      flat.set(key, { ...entry, value: resolve(cwd, entry.value) })
  }
  return flat
}

/** One line for one mistake, naming what the operator set: the variable, or the file and key. */
const problemOf = (
  issue: v.BaseIssue<unknown>,
  entry: Entry | undefined,
  env: Record<string, string | undefined>,
  filePath: string,
): string => {
  const path = v.getDotPath(issue) ?? ''
  const setting = ENV_SETTINGS.find((s) => (entry?.env ? s.env === entry.env : s.key === path))
  if (entry?.source === 'environment' && setting) {
    const raw = env[setting.env] ?? ''
    // A secret is not repeated into logs, even a wrong one.
    const given = setting.secret ? `${raw.length} characters` : shown(raw)
    return `${setting.env} ${issue.message}, got ${given} (for example ${setting.env}=${setting.example})`
  }
  const example = FILE_EXAMPLES[path] ?? (setting && !setting.secret ? setting.example : undefined)
  const given = issue.input === undefined ? 'nothing' : shown(issue.input)
  return (
    `${filePath}: "${path || '(root)'}" ${issue.message}, got ${given}` +
    (example ? ` (for example "${path.split('.').at(-1)}": ${exampleJson(example)})` : '')
  )
}

/**
 * Reads `feedwright.config.json` (or FEEDWRIGHT_CONFIG) and lets the environment override it.
 * Returns the frozen, validated configuration and where each value came from. Every mistake is
 * one line naming what the operator set (the variable, or the file's key) with an example.
 */
export const explainConfig = (
  env: Record<string, string | undefined>,
  cwd: string = process.cwd(),
): { config: Config; values: ConfigValue[] } => {
  const filePath = resolve(cwd, env.FEEDWRIGHT_CONFIG || 'feedwright.config.json')
  const flat = collect(env, readFileConfig(filePath, Boolean(env.FEEDWRIGHT_CONFIG)), cwd)
  // The seed folder is relative to the file that names it, wherever the service is started from.
  const seed = flat.get('seedFrom')
  if (seed && typeof seed.value === 'string' && seed.value !== '')
    flat.set('seedFrom', { ...seed, value: resolve(dirname(filePath), seed.value) })

  const merged: Record<string, unknown> = { site: {}, websub: {} }
  for (const [key, { value }] of flat) {
    const [outer, inner] = key.split('.') as [string, string | undefined]
    if (inner === undefined) merged[outer] = value
    else if (isRecord(merged[outer])) merged[outer][inner] = value
  }

  // One message per mistake: a pipe stops at its first failing check.
  const result = v.safeParse(ConfigSchema, merged, { abortPipeEarly: true })
  if (!result.success) {
    const seen = new Set<string>()
    const problems = result.issues.flatMap((issue) => {
      const path = v.getDotPath(issue) ?? ''
      if (seen.has(path)) return []
      seen.add(path)
      return [problemOf(issue, flat.get(path), env, filePath)]
    })
    throw configError(problems)
  }
  const { site, websub } = result.output
  const config: Config = Object.freeze({
    ...result.output,
    site: Object.freeze(site),
    websub: Object.freeze(websub),
    feedTtlSeconds: cronIntervalSeconds(result.output.feedCron),
    hubUrl: websub.hubUrl ?? `${site.url}/websub`,
  })
  // Settings left unset are listed too (the admin token, the database URL, …).
  for (const { key } of ENV_SETTINGS)
    if (!flat.has(key)) flat.set(key, { value: undefined, source: 'default' })
  // The hub's settings have their defaults in the schema.
  for (const key of Object.keys(websub))
    if (!flat.has(`websub.${key}`))
      flat.set(`websub.${key}`, { value: undefined, source: 'default' })
  const secrets = new Set(ENV_SETTINGS.filter((s) => s.secret).map((s) => s.key))
  const values = [...flat.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, { source }]): ConfigValue => {
      const [outer, inner] = key.split('.') as [keyof Config, string | undefined]
      const value =
        inner === undefined ? config[outer] : (config[outer] as Record<string, unknown>)[inner]
      const variable = ENV_SETTINGS.find((s) => s.key === key)?.env
      return {
        key,
        value: secrets.has(key) ? mask(key, value) : value,
        source,
        ...(variable && { env: variable }),
      }
    })
  return { config, values }
}

// Examples in the file are JSON: numbers and booleans as they are, the rest quoted.
const exampleJson = (example: string): string =>
  /^(?:-?\d+(?:\.\d+)?|true|false|\[.*|".*)$/.test(example) ? example : JSON.stringify(example)

/**
 * Reads `feedwright.config.json` (or FEEDWRIGHT_CONFIG) and lets the environment override it.
 * Returns a frozen, validated object; a bad value stops start-up with a message naming it.
 */
export const loadConfig = (
  env: Record<string, string | undefined>,
  cwd: string = process.cwd(),
): Config => explainConfig(env, cwd).config
