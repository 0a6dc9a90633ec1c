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

export class StoreError extends FeedwrightError {
  override readonly name = 'StoreError'
}

export class ConfigError extends FeedwrightError {
  override readonly name = 'ConfigError'
}
