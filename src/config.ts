// The one reader of feedwright.config.json and the environment; everything else gets values passed in.
import { existsSync, readFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { validate as isValidCron } from 'node-cron'
import * as v from 'valibot'
import { cronIntervalSeconds } from './lib/cron-interval.js'
import { ConfigError } from './lib/errors.js'

const httpUrl = v.pipe(
  v.string(),
  v.url('must be an absolute URL'),
  v.check((value) => /^https?:\/\//i.test(value), 'must be an http(s) URL'),
  // Feed and item URLs are built as `${siteUrl}/…`.
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
const milliseconds = v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(3_600_000))
const WebSubSchema = v.pipe(
  v.strictObject({
    /** An external hub to advertise and ping; the built-in hub at /websub when absent. */
    hubUrl: v.optional(httpUrl),
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

const ConfigSchema = v.strictObject({
  site: v.strictObject({
    title: v.pipe(v.string(), v.minLength(1)),
    description: v.pipe(v.string(), v.minLength(1)),
    url: httpUrl,
    language: v.pipe(
      v.string(),
      v.regex(/^[a-z]{2,3}(?:-[a-z0-9]{2,8})*$/i, 'must be a language tag'),
    ),
    copyright: v.optional(v.string()),
  }),
  port: v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(65_535)),
  host: v.pipe(v.string(), v.minLength(1)),
  dataDir: v.pipe(v.string(), v.minLength(1)),
  feedsDir: v.pipe(v.string(), v.minLength(1)),
  /**
   * A folder of article JSON files that seeds an empty store: the shipped demo's setting only.
   * Never set by `init` nor by the environment, so a site of one's own never gets demo articles.
   */
  seedFrom: v.optional(v.pipe(v.string(), v.minLength(1))),
  feedCron: v.pipe(v.string(), v.check(isValidCron, 'must be a cron expression')),
  feedLimit: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(1_000)),
  /** RFC 5005 pages per feed, the subscription document included. */
  feedPages: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(100)),
  /** Monthly RFC 5005 archive documents of the site feed. */
  archives: v.boolean(),
  websub: WebSubSchema,
  rebuildDebounceMs: v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(600_000)),
  customFeeds: v.pipe(
    v.array(CustomFeedSchema),
    v.check(
      (feeds) => new Set(feeds.map((f) => f.slug)).size === feeds.length,
      'slugs must be unique',
    ),
  ),
  politePollingSeconds: v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(86_400)),
  trustProxy: v.boolean(),
  databaseUrl: v.optional(v.pipe(v.string(), v.minLength(1))),
  /** PostgreSQL: how long to wait for a connection, and for one statement's answer. */
  databaseConnectTimeoutMs: milliseconds,
  databaseStatementTimeoutMs: milliseconds,
  /** A failed build is retried after this, doubled after each failure in a row up to the max. */
  buildRetryBaseMs: milliseconds,
  buildRetryMaxMs: milliseconds,
  databaseSchema: v.pipe(
    v.string(),
    v.regex(/^[a-z_][a-z0-9_]{0,62}$/, 'must be a lower-case SQL name'),
  ),
  adminToken: v.optional(
    v.pipe(
      v.string(),
      // A Bearer token (RFC 6750 §2.1) has no spaces: one with any could never authenticate.
      v.regex(/^\S*$/, 'must not contain spaces or other whitespace'),
      v.minLength(16, 'must be at least 16 characters'),
    ),
  ),
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

/** The file's keys mirror Config; every key is optional there. */
type FileConfig = Partial<Omit<Config, 'site' | 'adminToken' | 'databaseUrl' | 'websub'>> & {
  site?: Partial<SiteConfig>
  websub?: Partial<Config['websub']>
}

const numberFrom = (value: string | undefined): number | string | undefined => {
  if (value === undefined || value.trim() === '') return undefined
  const n = Number(value)
  return Number.isFinite(n) ? n : value
}

const booleanFrom = (value: string | undefined): boolean | string | undefined => {
  if (value === undefined || value.trim() === '') return undefined
  if (/^(1|true|yes)$/i.test(value)) return true
  if (/^(0|false|no)$/i.test(value)) return false
  return value
}

const defined = <T extends object>(record: T): Partial<T> =>
  Object.fromEntries(
    Object.entries(record).filter(([, value]) => value !== undefined),
  ) as Partial<T>

// Secrets never live in a file that could be committed.
const SECRETS: Readonly<Record<string, string>> = {
  adminToken: 'FEEDWRIGHT_ADMIN_TOKEN',
  databaseUrl: 'DATABASE_URL',
}

const readFileConfig = (path: string): FileConfig => {
  if (!existsSync(path)) return {}
  let parsed: FileConfig
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8')) as FileConfig
  } catch (cause) {
    throw new ConfigError(`config: ${path} is not valid JSON`, { cause })
  }
  for (const [key, variable] of Object.entries(SECRETS)) {
    if (key in parsed) {
      throw new ConfigError(
        `config: ${key} must not be in ${path}; set ${variable} in the environment`,
      )
    }
  }
  return parsed
}

/**
 * Reads `feedwright.config.json` (or FEEDWRIGHT_CONFIG) and lets the environment override it.
 * Returns a frozen, validated object; a bad value stops start-up with a message naming the key.
 */
export const loadConfig = (
  env: Record<string, string | undefined>,
  cwd: string = process.cwd(),
): Config => {
  const filePath = resolve(cwd, env.FEEDWRIGHT_CONFIG ?? 'feedwright.config.json')
  const file = readFileConfig(filePath)
  const port = numberFrom(env.PORT) ?? file.port ?? 3000
  const merged = {
    port,
    host: env.HOST || file.host || '127.0.0.1',
    dataDir: resolve(cwd, env.DATA_DIR || file.dataDir || 'data'),
    feedsDir: resolve(cwd, env.FEEDS_DIR || file.feedsDir || 'feeds'),
    // Relative to the file that names it, wherever the service is started from.
    ...(file.seedFrom !== undefined && {
      seedFrom:
        typeof file.seedFrom === 'string'
          ? resolve(dirname(filePath), file.seedFrom)
          : file.seedFrom,
    }),
    feedCron: env.FEED_CRON || file.feedCron || '*/5 * * * *',
    feedLimit: numberFrom(env.FEED_LIMIT) ?? file.feedLimit ?? 50,
    feedPages: numberFrom(env.FEED_PAGES) ?? file.feedPages ?? 5,
    archives: booleanFrom(env.ARCHIVES) ?? file.archives ?? true,
    websub: { ...file.websub, ...defined({ hubUrl: env.WEBSUB_HUB_URL || undefined }) },
    databaseSchema: env.DATABASE_SCHEMA || file.databaseSchema || 'public',
    databaseConnectTimeoutMs:
      numberFrom(env.DATABASE_CONNECT_TIMEOUT_MS) ?? file.databaseConnectTimeoutMs ?? 5_000,
    databaseStatementTimeoutMs:
      numberFrom(env.DATABASE_STATEMENT_TIMEOUT_MS) ?? file.databaseStatementTimeoutMs ?? 30_000,
    buildRetryBaseMs: file.buildRetryBaseMs ?? 1_000,
    buildRetryMaxMs: file.buildRetryMaxMs ?? 60_000,
    rebuildDebounceMs: numberFrom(env.REBUILD_DEBOUNCE_MS) ?? file.rebuildDebounceMs ?? 2_000,
    customFeeds: file.customFeeds ?? [],
    politePollingSeconds: numberFrom(env.POLITE_POLLING_SECONDS) ?? file.politePollingSeconds ?? 0,
    trustProxy: booleanFrom(env.TRUST_PROXY) ?? file.trustProxy ?? false,
    ...defined({
      databaseUrl: env.DATABASE_URL || undefined,
      adminToken: env.FEEDWRIGHT_ADMIN_TOKEN || undefined,
    }),
    site: {
      title: 'feedwright',
      description: 'Articles published with feedwright',
      language: 'en',
      ...file.site,
      url: env.SITE_URL || file.site?.url || `http://localhost:${port}`,
    },
  }
  const result = v.safeParse(ConfigSchema, merged)
  if (!result.success) {
    const problems = result.issues.map((i) => `${v.getDotPath(i) ?? '(root)'}: ${i.message}`)
    throw new ConfigError(
      `config: invalid configuration (${filePath} and environment): ${problems.join('; ')}`,
    )
  }
  const { site, websub } = result.output
  return Object.freeze({
    ...result.output,
    site: Object.freeze(site),
    websub: Object.freeze(websub),
    feedTtlSeconds: cronIntervalSeconds(result.output.feedCron),
    hubUrl: websub.hubUrl ?? `${site.url}/websub`,
  })
}
