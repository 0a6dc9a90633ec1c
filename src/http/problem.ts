// Errors → RFC 9457 application/problem+json responses; the one place that maps error kinds to status.
import type { Context } from 'hono'
import { HTTPException } from 'hono/http-exception'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import { FeedwrightError, StoreError, ValidationError } from '../lib/errors.js'

export const PROBLEM_TYPE = 'application/problem+json'

const TITLES: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  412: 'Precondition Failed',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
  507: 'Insufficient Storage',
}

// What a client is told when the store fails; the cause goes to the log, not to the client.
const STORE_DETAIL: Readonly<Record<number, string>> = {
  503: 'The article store cannot be reached right now; retry after the time in Retry-After.',
  507: 'The article store is out of space; nothing was written. Retry after the time in Retry-After.',
}

/** A problem+json response (RFC 9457 §3) with optional extension members. */
export const problemResponse = (
  c: Context,
  status: ContentfulStatusCode,
  detail: string,
  extensions: Record<string, unknown> = {},
  headers: Readonly<Record<string, string>> = {},
): Response =>
  c.body(
    JSON.stringify({
      type: 'about:blank',
      title: TITLES[status] ?? 'Error',
      status,
      detail,
      instance: c.req.path,
      ...extensions,
    }),
    status,
    { ...headers, 'Content-Type': PROBLEM_TYPE },
  )

/** Hono onError handler: known errors keep their status and message; others are logged, not shown. */
export const handleError = (log: (error: unknown) => void) =>
  function handleError(error: Error, c: Context): Response {
    if (error instanceof ValidationError) {
      return problemResponse(c, 400, error.message, { errors: error.issues })
    }
    // The operator needs the cause (SQLITE_FULL, ECONNREFUSED); the client needs what to do.
    if (error instanceof StoreError && error.status !== 500) {
      log(error)
      return problemResponse(
        c,
        error.status as ContentfulStatusCode,
        STORE_DETAIL[error.status]!,
        {},
        error.headers,
      )
    }
    if (error instanceof FeedwrightError && (error.status < 500 || error.status === 503)) {
      return problemResponse(
        c,
        error.status as ContentfulStatusCode,
        error.message,
        {},
        error.headers,
      )
    }
    if (error instanceof HTTPException && error.status < 500) {
      return problemResponse(c, error.status as ContentfulStatusCode, error.message)
    }
    log(error)
    return problemResponse(c, 500, 'The server could not answer this request; it has been logged.')
  }

export const notFound = (c: Context): Response =>
  problemResponse(c, 404, `Nothing is published at ${c.req.path}.`)
