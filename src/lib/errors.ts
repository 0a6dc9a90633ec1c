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

export class StoreError extends FeedwrightError {
  override readonly name = 'StoreError'
}

export class ConfigError extends FeedwrightError {
  override readonly name = 'ConfigError'
}
