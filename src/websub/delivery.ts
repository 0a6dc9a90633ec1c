// The hub's deliveries (W3C WebSub §7): each new version of a feed POSTed to its live subscribers,
// signed with their secret, retried with backoff; a newer version replaces one still being retried.
import { createHmac } from 'node:crypto'
import { isFeed } from '../publish/outputs.js'
import type { Subscription } from '../store/store.js'
import { AddressRefusedError } from './addresses.js'
import { bytesOf, type FeedVersion, type HubPartContext } from './hub-settings.js'
import { send } from './outbound.js'
import { createRetrier } from './retries.js'

/** What delivering needs from the hub: its URL, outbound rules, store and reporting. */
export interface DelivererContext extends HubPartContext {
  /** The topic URL of a published feed. */
  topicOf: (output: Pick<FeedVersion, 'urlPath'>) => string
  hubUrl: string
}

export interface Deliverer {
  /** Delivers each changed feed to the live subscribers of its URL, in the background. */
  distribute(outputs: readonly FeedVersion[]): Promise<void>
  /** Resolves when no delivery is running or waiting to be retried. */
  idle(): Promise<void>
  close(): void
}

const signature = (secret: string, body: Uint8Array): string =>
  `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`

export const createDeliverer = (context: DelivererContext): Deliverer => {
  const { subscriptions, settings, log, onEvent } = context
  const retrier = createRetrier({
    attempts: settings.attempts,
    baseMs: settings.retryBaseMs,
    onGiveUp: (what, reason) => log.error(`websub: gave up ${what}: ${reason}`),
  })
  // The newest version of a topic owed to each callback; an older one still being retried stops.
  const owed = new Map<string, FeedVersion>()
  return {
    distribute: async (outputs) => {
      const at = context.now().toISOString()
      for (const output of outputs) {
        if (!isFeed(output.format)) continue
        const topic = context.topicOf(output)
        for (const subscription of await subscriptions.live(topic, at)) {
          if (subscription.deliveredEtag === output.etag) continue
          owed.set(`${topic}\n${subscription.callback}`, output)
          retrier.run(`delivering ${topic} to ${subscription.callback}`, (attempt) =>
            deliver(context, owed, { subscription, output, attempt }).then(
              () => onEvent('delivered'),
              (error: unknown) => {
                onEvent('delivery-failed')
                throw error
              },
            ),
          )
        }
      }
    },
    idle: () => retrier.idle(),
    close: () => retrier.close(),
  }
}

/** One attempt (the `attempt`th) to deliver `output` to `subscription`. */
interface Delivery {
  subscription: Subscription
  output: FeedVersion
  attempt: number
}

/** One delivery attempt of `output` to `subscription`, unless a newer version is owed to it. */
const deliver = async (
  context: DelivererContext,
  owed: Map<string, FeedVersion>,
  { subscription, output, attempt }: Delivery,
): Promise<void> => {
  const { subscriptions } = context
  const key = `${subscription.topic}\n${subscription.callback}`
  if (owed.get(key) !== output) return // a newer version replaced this one
  if (attempt > 1) {
    const live = await subscriptions.live(subscription.topic, context.now().toISOString())
    if (!live.some((s) => s.callback === subscription.callback)) return
  }
  const answer = await context.slot(new URL(subscription.callback).hostname, () =>
    post(context, subscription, output),
  )
  if (!answer) return
  // WebSub §7: 410 Gone ends the subscription; any other non-2xx answer is retried.
  if (answer.status === 410) {
    await subscriptions.remove(subscription.topic, subscription.callback)
  } else if (answer.status < 200 || answer.status > 299) {
    throw new Error(`the callback answered HTTP ${answer.status}`)
  }
  if (owed.get(key) === output) owed.delete(key)
  await subscriptions.markDelivered(subscription.topic, subscription.callback, output.etag)
}

/**
 * POSTs the feed to the callback (its bytes read for this request only); undefined when its
 * address is refused (no use retrying) or when this version is gone (a newer one is owed instead).
 */
const post = async (context: DelivererContext, subscription: Subscription, output: FeedVersion) => {
  const body = await bytesOf(output)
  if (!body) return undefined
  return send(
    subscription.callback,
    {
      method: 'POST',
      headers: {
        'Content-Type': output.contentType,
        Link: `<${context.hubUrl}>; rel="hub", <${subscription.topic}>; rel="self"`,
        ...(subscription.secret && {
          'X-Hub-Signature': signature(subscription.secret, body),
        }),
      },
      body,
    },
    context.limits,
    context.guard,
  ).catch((error: unknown) => {
    // An address that is not allowed stays so: no use retrying.
    if (!(error instanceof AddressRefusedError)) throw error
    context.log.info(`websub: not delivering ${subscription.topic}: ${error.message}`)
    return undefined
  })
}
