// Chooses the store adapter from the configuration: PostgreSQL for a postgres:// URL, else SQLite;
// and keeps trying to reach a PostgreSQL that is away at start-up, answering 503 meanwhile.
import { join } from 'node:path'
import { ConfigError, StoreError, storeFailureKind } from '../lib/errors.js'
import { openPostgresStore } from './postgres.js'
import { openSqliteStore } from './sqlite.js'
import type { Store } from './store.js'

export const isPostgresUrl = (url: string): boolean => /^postgres(?:ql)?:\/\//i.test(url)

export interface StoreSettings {
  dataDir: string
  databaseUrl?: string
  databaseSchema?: string
  databaseConnectTimeoutMs?: number
  databaseStatementTimeoutMs?: number
}

export const openStore = async (
  config: StoreSettings,
  log: { error(message: string): void } = { error: () => undefined },
): Promise<Store> => {
  if (config.databaseUrl === undefined)
    return openSqliteStore(join(config.dataDir, 'feedwright.db'), {
      warn: (message) => log.error(message),
    })
  if (!isPostgresUrl(config.databaseUrl)) {
    throw new ConfigError('store: DATABASE_URL must start with postgres:// or postgresql://')
  }
  return openPostgresStore({
    connectionString: config.databaseUrl,
    ...(config.databaseSchema && { schema: config.databaseSchema }),
    ...(config.databaseConnectTimeoutMs && { connectTimeoutMs: config.databaseConnectTimeoutMs }),
    ...(config.databaseStatementTimeoutMs && {
      statementTimeoutMs: config.databaseStatementTimeoutMs,
    }),
  })
}

/**
 * Whether a store failed to open because it cannot be reached now (refused, timed out, starting
 * up): worth trying again. A wrong URL, password or schema is not, and stops the start.
 */
export const isUnreachable = (error: unknown): boolean =>
  !(error instanceof ConfigError) && storeFailureKind(error) === 'unavailable'

/** A store still being reached, served meanwhile by a stand-in whose every call fails (503). */
export interface PendingStore {
  /** The stand-in, which forwards every call to the store once it is open. */
  store: Store
  /** Resolves once the store is open and prepared (never, if closed first). */
  opened: Promise<void>
}

export interface ReachOptions {
  /** The first wait before trying again; doubled after each failure up to `retryMaxMs`. */
  retryBaseMs: number
  retryMaxMs: number
  /** Runs on the store just opened before any call reaches it (seeding, the output sync). */
  prepare: (store: Store) => Promise<void>
  /** Told of each failed attempt (the first one included) and the wait before the next. */
  onFailure: (error: unknown, attempts: number, retryInMs: number) => void
}

/**
 * A concern of the stand-in: each method forwards to the open store's, or fails with `away()`.
 * Every method of a store contract returns a promise, so failing is a rejection here too.
 */
const forwarding = <T extends object>(
  concernOf: (store: Store) => T,
  open: () => Store | undefined,
  away: () => StoreError,
): T =>
  new Proxy({} as T, {
    get: (_target, key) => {
      // Not a thenable: awaiting a concern must not call into it.
      if (key === 'then') return undefined
      return (...args: unknown[]): Promise<unknown> => {
        const store = open()
        if (store === undefined) return Promise.reject(away())
        const concern = concernOf(store)
        const method: unknown = Reflect.get(concern, key)
        if (typeof method !== 'function') return Promise.reject(new TypeError(String(key)))
        return Promise.resolve(method.apply(concern, args) as unknown)
      }
    },
  })

/**
 * Keeps trying `open` (which just failed with `firstError`) with backoff until it succeeds and
 * `prepare` has run; the returned stand-in answers every call with a StoreError naming the last
 * cause (503 with Retry-After when unreachable) until then, and forwards afterwards.
 */
export const reachStore = (
  open: () => Promise<Store>,
  firstError: unknown,
  options: ReachOptions,
): PendingStore => {
  let current: Store | undefined
  let closed = false
  let lastError = firstError
  let attempts = 1
  let timer: NodeJS.Timeout | undefined
  let attempt: Promise<void> = Promise.resolve()
  let markOpened = () => undefined as void
  const opened = new Promise<void>((resolve) => (markOpened = resolve))
  const away = () =>
    new StoreError(`store: not reached since start-up (${attempts} attempts)`, {
      cause: lastError,
    })
  const tryOnce = async (): Promise<void> => {
    let store: Store | undefined
    try {
      store = await open()
      if (!closed) await options.prepare(store)
    } catch (error) {
      await store?.close().catch(() => undefined)
      lastError = error
      attempts += 1
      return retryLater()
    }
    if (closed) return store.close()
    current = store
    markOpened()
  }
  const retryLater = (): void => {
    if (closed) return
    const wait = Math.min(options.retryMaxMs, options.retryBaseMs * 2 ** Math.min(attempts - 1, 30))
    options.onFailure(lastError, attempts, wait)
    timer = setTimeout(() => (attempt = tryOnce()), wait)
  }
  retryLater()
  const store: Store = {
    articles: forwarding(
      (s) => s.articles,
      () => current,
      away,
    ),
    builds: forwarding(
      (s) => s.builds,
      () => current,
      away,
    ),
    subscriptions: forwarding(
      (s) => s.subscriptions,
      () => current,
      away,
    ),
    close: async () => {
      closed = true
      clearTimeout(timer)
      await attempt
      await current?.close()
    },
  }
  return { store, opened }
}
