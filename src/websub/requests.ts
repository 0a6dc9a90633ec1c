// A subscriber's subscription request (WebSub §5.1), validated: every problem names its parameter.
import * as v from 'valibot'
import type { FieldIssue } from '../lib/errors.js'
import { httpUrl } from '../lib/urls.js'

const MAX_URL_LENGTH = 2048
// WebSub §5.1: hub.secret "MUST be less than 200 bytes".
const MAX_SECRET_BYTES = 199

const cappedUrl = (what: string) =>
  v.pipe(
    v.string(`${what} is required`),
    v.maxLength(MAX_URL_LENGTH, `must be at most ${MAX_URL_LENGTH} characters`),
    httpUrl,
  )

const HubRequestSchema = v.object({
  'hub.mode': v.picklist(['subscribe', 'unsubscribe'], 'must be subscribe or unsubscribe'),
  'hub.callback': v.pipe(
    cappedUrl('the callback URL'),
    v.check((value) => !value.includes('#'), 'must not have a fragment'),
  ),
  'hub.topic': cappedUrl('the topic URL'),
  'hub.lease_seconds': v.optional(
    v.pipe(
      v.string(),
      v.regex(/^\d{1,10}$/, 'must be a whole number of seconds'),
      v.transform(Number),
    ),
  ),
  'hub.secret': v.optional(
    v.pipe(
      v.string(),
      v.minLength(1, 'must not be empty'),
      v.check(
        (value) => Buffer.byteLength(value) <= MAX_SECRET_BYTES,
        'must be less than 200 bytes',
      ),
    ),
  ),
})

const REQUIRED = ['hub.mode', 'hub.callback', 'hub.topic'] as const

export interface HubRequest {
  mode: 'subscribe' | 'unsubscribe'
  callback: string
  topic: string
  leaseSeconds?: number
  secret?: string
}

/** Parses the form of a hub request; the issues name the hub.* parameters at fault. */
export const parseHubRequest = (
  form: URLSearchParams,
): { request: HubRequest } | { issues: FieldIssue[] } => {
  // Said plainly, rather than as the schema's "invalid key".
  const missing = REQUIRED.filter((name) => !form.has(name))
  if (missing.length > 0)
    return { issues: missing.map((path) => ({ path, message: 'is required' })) }
  const result = v.safeParse(HubRequestSchema, Object.fromEntries(form))
  if (!result.success) {
    return {
      issues: result.issues.map((i) => ({
        path: v.getDotPath(i) ?? '(form)',
        message: i.message,
      })),
    }
  }
  const o = result.output
  return {
    request: {
      mode: o['hub.mode'],
      callback: o['hub.callback'],
      topic: o['hub.topic'],
      ...(o['hub.lease_seconds'] !== undefined && { leaseSeconds: o['hub.lease_seconds'] }),
      ...(o['hub.secret'] !== undefined && { secret: o['hub.secret'] }),
    },
  }
}
