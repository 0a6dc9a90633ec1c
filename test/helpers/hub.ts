// The hub on its own, as its tests set it up: topics at one site, found among published outputs.
import { makeOutput, type PublishedOutput, withEncodings } from '../../src/publish/outputs.js'
import type { SubscriptionStore } from '../../src/store/store.js'
import type { HubOptions } from '../../src/websub/hub.js'

export const HUB_SITE = 'https://hub.example.org'
/** The site feed's topic: the one feed these tests publish. */
export const HUB_TOPIC = `${HUB_SITE}/feeds/atom.xml`

/**
 * The built-in hub's settings for a service under test: callbacks on loopback allowed, deliveries
 * retried fast and given up soon, so a test waits milliseconds rather than the defaults' minutes.
 */
export const FAST_HUB = {
  allowPrivateCallbacks: true,
  attempts: 3,
  retryBaseMs: 50,
  timeoutMs: 1_000,
} as const

/** The options that tie a hub to `outputs` under HUB_SITE; each test adds settings and a log. */
export const hubOver = (
  subscriptions: SubscriptionStore,
  outputs: { get(path: string): PublishedOutput | undefined },
): Pick<HubOptions, 'subscriptions' | 'feedAt' | 'topicOf' | 'hubUrl'> => ({
  subscriptions,
  feedAt: (topic) => outputs.get(topic.slice(HUB_SITE.length)),
  topicOf: (output) => `${HUB_SITE}${output.urlPath}`,
  hubUrl: `${HUB_SITE}/websub`,
})

/** The site feed (at HUB_TOPIC) with this text, as a build publishes it. */
export const siteFeed = (text: string): Promise<PublishedOutput> =>
  withEncodings(
    makeOutput({
      urlPath: '/feeds/atom.xml',
      feedKey: 'site',
      format: 'atom',
      text,
      updated: new Date(),
    }),
  )

/** A subscription request for `callback` to `topic`; `extra` adds or replaces parameters. */
export const subscribeForm = (
  callback: string,
  topic = HUB_TOPIC,
  extra: Record<string, string> = {},
): URLSearchParams =>
  new URLSearchParams({
    'hub.mode': 'subscribe',
    'hub.callback': callback,
    'hub.topic': topic,
    ...extra,
  })
