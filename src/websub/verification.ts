// The hub's side of subscribing (W3C WebSub §5): a request validated and its lease decided, then
// verified with the subscriber apart, with caps on the verifications waiting in all, per callback
// host and per topic.
import { randomBytes } from 'node:crypto'
import { OverloadedError, TooManyRequestsError, ValidationError } from '../lib/errors.js'
import type { FeedVersion, HubPartContext } from './hub-settings.js'
import { send } from './outbound.js'
import { type HubRequest, parseHubRequest } from './requests.js'

/** A valid request with the lease the hub grants. */
type LeasedRequest = HubRequest & { leaseSeconds: number }

/** What verifying needs from the hub: its settings, outbound rules, store and reporting. */
export interface VerifierContext extends HubPartContext {
  /** The feed published at a topic URL, if there is one. */
  feedAt: (topic: string) => FeedVersion | undefined
}

export interface Verifier {
  /** Validates a subscription request (400 naming the parameter); verification then runs apart. */
  request(form: URLSearchParams): Promise<void>
  /** Resolves when no verification is pending. */
  idle(): Promise<void>
}

export const createVerifier = (context: VerifierContext): Verifier => {
  const { settings } = context
  const pending = createPendingCounts()
  const retryAfterSeconds = Math.ceil(settings.timeoutMs / 1000)
  const verifications = new Set<Promise<void>>()

  /** Throws when taking `request` would pass a cap on the verifications waiting. */
  const admit = (request: LeasedRequest, host: string): void => {
    if (pending.total() >= (settings.maxPendingVerifications ?? 1_000)) {
      throw new OverloadedError(
        'websub: too many subscription requests are being verified; try again later',
        retryAfterSeconds,
      )
    }
    if (pending.of(`host:${host}`) >= (settings.maxPendingPerHost ?? 20)) {
      throw new TooManyRequestsError(
        `websub: too many subscription requests for callbacks on ${host} are being verified`,
        retryAfterSeconds,
      )
    }
    if (pending.of(`topic:${request.topic}`) >= (settings.maxPendingPerTopic ?? 200)) {
      throw new TooManyRequestsError(
        `websub: too many subscription requests for ${request.topic} are being verified`,
        retryAfterSeconds,
      )
    }
  }

  return {
    request: async (form) => {
      const request = await leasedRequest(context, form)
      const host = new URL(request.callback).hostname
      const key = `${request.mode}\n${request.topic}\n${request.callback}`
      // The same request again while it is being verified: that verification answers it.
      if (pending.has(key)) return
      admit(request, host)
      const release = pending.add(key, [`host:${host}`, `topic:${request.topic}`])
      const task = verify(context, request).finally(() => {
        release()
        verifications.delete(task)
      })
      verifications.add(task)
    },
    idle: async () => {
      while (verifications.size > 0) await Promise.all([...verifications])
    },
  }
}

/** The request in `form`, validated, with the lease the hub grants; throws a ValidationError. */
const leasedRequest = async (
  context: VerifierContext,
  form: URLSearchParams,
): Promise<LeasedRequest> => {
  const { settings } = context
  const parsed = parseHubRequest(form)
  if ('issues' in parsed) throw new ValidationError('websub: invalid hub request', parsed.issues)
  const { request } = parsed
  const refuse = (path: string, message: string) =>
    new ValidationError(`websub: ${path} ${message}`, [{ path, message }])
  // Unsubscribing from a feed that has since been taken down must still work.
  if (request.mode === 'subscribe' && !context.feedAt(request.topic)) {
    throw refuse('hub.topic', `is not a feed published here: ${request.topic}`)
  }
  // Checked again on the address each request connects to (the guard's lookup).
  const refusal = await context.guard.refusal(new URL(request.callback).hostname)
  if (refusal) {
    throw refuse('hub.callback', `must be reachable on the public internet (${refusal})`)
  }
  const asked = request.leaseSeconds ?? settings.defaultLeaseSeconds
  // WebSub §5.1: the hub decides the lease; it tells the subscriber in the verification.
  const leaseSeconds = Math.min(settings.maxLeaseSeconds, Math.max(settings.minLeaseSeconds, asked))
  return { ...request, leaseSeconds }
}

/** WebSub §5.3: the subscriber must echo a random challenge sent to its callback. */
const verify = async (context: VerifierContext, request: LeasedRequest): Promise<void> => {
  const { subscriptions, log, onEvent } = context
  const challenge = randomBytes(16).toString('hex')
  const url = new URL(request.callback)
  url.searchParams.append('hub.mode', request.mode)
  url.searchParams.append('hub.topic', request.topic)
  url.searchParams.append('hub.challenge', challenge)
  if (request.mode === 'subscribe') {
    url.searchParams.append('hub.lease_seconds', String(request.leaseSeconds))
  }
  const what = `${request.mode} ${request.callback} to ${request.topic}`
  try {
    const answer = await context.slot(url.hostname, () =>
      send(url.href, { method: 'GET' }, context.limits, context.guard),
    )
    if (answer.status < 200 || answer.status > 299 || answer.body !== challenge) {
      log.info(`websub: ${what} not confirmed (HTTP ${answer.status})`)
      onEvent('verification-failed')
      return
    }
    if (request.mode === 'unsubscribe') {
      await subscriptions.remove(request.topic, request.callback)
    } else {
      const expiresAt = new Date(context.now().getTime() + request.leaseSeconds * 1000)
      await subscriptions.put({
        topic: request.topic,
        callback: request.callback,
        ...(request.secret !== undefined && { secret: request.secret }),
        leaseSeconds: request.leaseSeconds,
        expiresAt: expiresAt.toISOString(),
      })
    }
    log.info(`websub: ${what} confirmed`)
    onEvent(request.mode === 'subscribe' ? 'subscribed' : 'unsubscribed')
  } catch (error) {
    log.info(`websub: ${what} not confirmed (${error instanceof Error ? error.message : error})`)
    onEvent('verification-failed')
  }
}

/** Verifications pending: by request (to drop repeats), and counted per host and per topic. */
const createPendingCounts = () => {
  const keys = new Set<string>()
  const counts = new Map<string, number>()
  const bump = (group: string, by: number) => {
    const n = (counts.get(group) ?? 0) + by
    if (n > 0) counts.set(group, n)
    else counts.delete(group)
  }
  return {
    has: (key: string) => keys.has(key),
    total: () => keys.size,
    of: (group: string) => counts.get(group) ?? 0,
    /** Counts a pending request in its groups; returns what uncounts it. */
    add: (key: string, groups: readonly string[]) => {
      keys.add(key)
      groups.forEach((g) => bump(g, 1))
      return () => {
        keys.delete(key)
        groups.forEach((g) => bump(g, -1))
      }
    },
  }
}
