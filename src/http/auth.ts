// Bearer-token guard for the admin API; closed unless FEEDWRIGHT_ADMIN_TOKEN is set.
import { createHash, timingSafeEqual } from 'node:crypto'
import type { MiddlewareHandler } from 'hono'
import { UnauthorizedError, UnavailableError } from '../lib/errors.js'

// Hashing first gives equal-length inputs, so the comparison takes the same time for any guess.
const digest = (value: string): Buffer => createHash('sha256').update(value).digest()

/** Middleware: 503 when no token is configured, 401 when the request's token is missing or wrong. */
export const bearerAuth = ({ token }: { token: string | undefined }): MiddlewareHandler => {
  const expected = token === undefined ? undefined : digest(token)
  return async function bearerAuth(c, next) {
    if (expected === undefined) {
      throw new UnavailableError(
        'http/auth: the admin API is disabled; set FEEDWRIGHT_ADMIN_TOKEN (16 characters or more) and restart',
      )
    }
    const match = /^Bearer\s+(\S+)\s*$/i.exec(c.req.header('authorization') ?? '')
    if (!match || !timingSafeEqual(digest(match[1]!), expected)) {
      throw new UnauthorizedError(
        'http/auth: a valid "Authorization: Bearer <token>" header is required',
      )
    }
    await next()
  }
}
