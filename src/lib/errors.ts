// Error kinds shared by every module; http/problem.ts turns them into RFC 9457 responses.

/** One failing input field: its dotted path and why it failed. */
export interface FieldIssue {
  path: string
  message: string
}

/** Base class: a message naming the module, the cause kept, and the HTTP status it maps to. */
export class FeedwrightError extends Error {
  readonly status: number = 500
  override readonly name: string = 'FeedwrightError'
  /** Response headers the status requires (e.g. WWW-Authenticate with 401). */
  readonly headers: Readonly<Record<string, string>> = {}
}

/** Input that failed its schema; nothing was written. */
export class ValidationError extends FeedwrightError {
  override readonly status = 400
  override readonly name = 'ValidationError'
  constructor(
    message: string,
    readonly issues: readonly FieldIssue[],
    options?: ErrorOptions,
  ) {
    super(message, options)
  }
}

export class NotFoundError extends FeedwrightError {
  override readonly status = 404
  override readonly name = 'NotFoundError'
}

export class ConflictError extends FeedwrightError {
  override readonly status = 409
  override readonly name = 'ConflictError'
}

/** An If-Match precondition (RFC 9110 §13.1.1) that the current representation does not meet. */
export class PreconditionFailedError extends FeedwrightError {
  override readonly status = 412
  override readonly name = 'PreconditionFailedError'
}

export class UnsupportedMediaTypeError extends FeedwrightError {
  override readonly status = 415
  override readonly name = 'UnsupportedMediaTypeError'
}

export class UnauthorizedError extends FeedwrightError {
  override readonly status = 401
  override readonly name = 'UnauthorizedError'
  // RFC 6750 §3: a 401 names the scheme the client should use.
  override readonly headers = { 'WWW-Authenticate': 'Bearer realm="feedwright"' }
}

export class UnavailableError extends FeedwrightError {
  override readonly status = 503
  override readonly name = 'UnavailableError'
}

/** A limit was reached: the client may try again after `retryAfterSeconds` (RFC 6585 §4). */
export class TooManyRequestsError extends FeedwrightError {
  override readonly status: number = 429
  override readonly name: string = 'TooManyRequestsError'
  override readonly headers: Readonly<Record<string, string>>
  constructor(message: string, retryAfterSeconds: number, options?: ErrorOptions) {
    super(message, options)
    this.headers = { 'Retry-After': String(Math.max(1, Math.ceil(retryAfterSeconds))) }
  }
}

/** The server as a whole is too busy for this request now (503 with Retry-After). */
export class OverloadedError extends TooManyRequestsError {
  override readonly status = 503
  override readonly name = 'OverloadedError'
}

/** Why a store operation failed, as far as an operator can act on it. */
export type StoreFailureKind = 'full' | 'unavailable' | 'other'

// Out of space: SQLite's SQLITE_FULL, the file system's ENOSPC/EDQUOT, PostgreSQL's 53100 disk_full.
const FULL_CODES = new Set(['SQLITE_FULL', 'ENOSPC', 'EDQUOT', '53100'])
// The store cannot be reached or answer now, but may soon: network errors, a locked or read-only
// SQLite file, PostgreSQL connection exceptions (class 08), shutdowns (57P01–57P03), a statement
// timeout (57014) and too many connections (53300).
const UNAVAILABLE_CODES =
  /^(?:E(?:CONNREFUSED|CONNRESET|TIMEDOUT|PIPE|NOTFOUND|AI_AGAIN|HOSTUNREACH|NETUNREACH|ROFS|IO)|SQLITE_(?:BUSY|LOCKED|IOERR|READONLY|CANTOPEN)\w*|08\w{3}|57P0[123]|57014|53300)$/
// pg reports a dropped connection and its own time limits without a code.
const UNAVAILABLE_MESSAGES =
  /connection terminated|timeout exceeded when trying to connect|query read timeout|connection error|not queryable/i

const causes = function* (error: unknown): Generator<{ code?: unknown; message?: unknown }> {
  for (let e = error, depth = 0; e && typeof e === 'object' && depth < 8; depth += 1) {
    yield e as { code?: unknown; message?: unknown }
    e = (e as { cause?: unknown }).cause
  }
}

/** Classifies a store failure by the codes and messages along its cause chain. */
export const storeFailureKind = (error: unknown): StoreFailureKind => {
  let kind: StoreFailureKind = 'other'
  for (const e of causes(error)) {
    const code = typeof e.code === 'string' ? e.code : ''
    if (FULL_CODES.has(code)) return 'full'
    if (UNAVAILABLE_CODES.test(code)) kind = 'unavailable'
    else if (typeof e.message === 'string' && UNAVAILABLE_MESSAGES.test(e.message))
      kind = 'unavailable'
  }
  return kind
}

/** The innermost cause's code and message, for a log line an operator can act on. */
export const describeCause = (cause: unknown): string => {
  const chain = [...causes(cause)]
  const coded = chain.find((e) => typeof e.code === 'string')
  const last = chain.at(-1)
  const message = typeof last?.message === 'string' ? last.message : String(cause)
  return coded?.code ? `${String(coded.code)}: ${message}` : message
}

// Seconds a client should wait before trying again (RFC 9110 §10.2.3).
const RETRY_AFTER: Readonly<Record<StoreFailureKind, string | undefined>> = {
  full: '60',
  unavailable: '5',
  other: undefined,
}

/**
 * The store failed. The message keeps the cause's code (`SQLITE_FULL`, `ECONNREFUSED`); the status
 * says what a client can do: 507 when out of space, 503 with Retry-After when the store cannot be
 * reached for now, 500 otherwise.
 */
export class StoreError extends FeedwrightError {
  override readonly name = 'StoreError'
  override readonly status: number
  override readonly headers: Readonly<Record<string, string>>
  readonly kind: StoreFailureKind
  constructor(message: string, options?: ErrorOptions) {
    super(
      options?.cause === undefined ? message : `${message}: ${describeCause(options.cause)}`,
      options,
    )
    this.kind = storeFailureKind(options?.cause)
    this.status = this.kind === 'full' ? 507 : this.kind === 'unavailable' ? 503 : 500
    const retryAfter = RETRY_AFTER[this.kind]
    this.headers = retryAfter ? { 'Retry-After': retryAfter } : {}
  }
}

export class ConfigError extends FeedwrightError {
  override readonly name = 'ConfigError'
}
