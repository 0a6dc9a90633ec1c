// Reading a JSON request body: media type, size limit and syntax, each with its own clear error.
import type { Context, MiddlewareHandler } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { UnsupportedMediaTypeError, ValidationError } from '../lib/errors.js'
import { problemResponse } from './problem.js'

/** Middleware: bodies over `maxBytes` get 413 before they are read whole. */
export const limitBody = (maxBytes: number): MiddlewareHandler =>
  bodyLimit({
    maxSize: maxBytes,
    // The rest of the body is never read, so the connection cannot carry another request.
    onError: (c) =>
      problemResponse(
        c,
        413,
        `The request body is larger than ${maxBytes} bytes.`,
        {},
        {
          Connection: 'close',
        },
      ),
  })

/** application/json or any +json type (RFC 6839), e.g. application/merge-patch+json. */
const isJson = (contentType: string | undefined): boolean =>
  /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i.test(contentType ?? '')

/** The parsed body; 415 for another media type, 400 naming the position for broken JSON. */
export const readJson = async (c: Context): Promise<unknown> => {
  if (!isJson(c.req.header('content-type'))) {
    throw new UnsupportedMediaTypeError(
      `http: send the body as application/json (got ${c.req.header('content-type') ?? 'no Content-Type'})`,
    )
  }
  const text = await c.req.text()
  try {
    return JSON.parse(text)
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause)
    throw new ValidationError(`http: the body is not valid JSON: ${reason}`, [
      { path: '(body)', message: `not valid JSON: ${reason}` },
    ])
  }
}
