// The built-in WebSub hub's endpoint: subscription requests (WebSub §5.1), answered 202 Accepted
// before the hub verifies intent with the subscriber.
import { type Context, Hono } from 'hono'
import { UnsupportedMediaTypeError } from '../lib/errors.js'
import type { Hub } from '../websub/index.js'
import { limitBody } from './json-body.js'
import { rateLimit } from './middleware/rate-limit.js'

// A request is a few URLs and a secret of less than 200 bytes.
const MAX_REQUEST_BYTES = 8 * 1024

const isForm = (contentType: string | undefined): boolean =>
  /^application\/x-www-form-urlencoded\s*(?:;|$)/i.test(contentType ?? '')

export interface WebSubRouteOptions {
  /** Hub requests per minute from one client; 0: no limit. */
  requestsPerMinute: number
  clientOf: (c: Context) => string
}

export const webSubRoutes = (hub: Hub, { requestsPerMinute, clientOf }: WebSubRouteOptions) => {
  const app = new Hono()
  if (requestsPerMinute > 0) {
    app.use(rateLimit({ perMinute: requestsPerMinute, clientOf, what: 'hub requests' }))
  }
  return app.post('/', limitBody(MAX_REQUEST_BYTES), async (c) => {
    if (!isForm(c.req.header('content-type'))) {
      throw new UnsupportedMediaTypeError(
        'websub: send hub requests as application/x-www-form-urlencoded (WebSub §5.1)',
      )
    }
    await hub.request(new URLSearchParams(await c.req.text()))
    return c.text('Accepted: the hub will verify this request with the callback.\n', 202)
  })
}
