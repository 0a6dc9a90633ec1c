// WebSub for the service: feedwright's own hub (default) or pings to an external one, fed with the
// outputs each build published.
import type { Config } from '../config.js'
import { feedsUrlPathOf, siteUrlOf } from '../feeds/paths.js'
import { isFeed, type PublishedOutput, type PublishedOutputs } from '../publish/outputs.js'
import type { SubscriptionStore } from '../store/store.js'
import { createHub, type Hub, type HubOptions } from './hub.js'
import { createPublishPing } from './publish-ping.js'

export type { Hub } from './hub.js'

export interface WebSubOptions {
  settings: Config['websub']
  hubUrl: string
  siteUrl: string
  outputs: PublishedOutputs
  subscriptions: SubscriptionStore
  log: { info(message: string): void; error(message: string, error?: unknown): void }
  /** Told of each hub event (metrics). */
  onEvent?: HubOptions['onEvent']
}

export interface WebSub {
  /** The built-in hub; absent when an external hub is configured. */
  hub?: Hub
  /** Tells subscribers (or the external hub) about the outputs a build published. */
  published(outputs: readonly PublishedOutput[]): Promise<void>
  idle(): Promise<void>
  close(): void
}

export const startWebSub = (options: WebSubOptions): WebSub => {
  const { settings, siteUrl, outputs, log } = options
  // A topic is the feed's self URL as the feed gives it: percent-encoded (feeds/paths.ts).
  const topicOf = (output: PublishedOutput) => siteUrlOf(siteUrl, output.urlPath)
  const feedsOf = (published: readonly PublishedOutput[]) =>
    published.filter((o) => isFeed(o.format))
  const retries = {
    attempts: settings.attempts,
    retryBaseMs: settings.retryBaseMs,
    timeoutMs: settings.timeoutMs,
  }
  if (settings.hubUrl) {
    const ping = createPublishPing({ hubUrl: settings.hubUrl, ...retries, log })
    return {
      published: async (published) => ping.notify(feedsOf(published).map(topicOf)),
      idle: ping.idle,
      close: ping.close,
    }
  }
  const hub = createHub({
    subscriptions: options.subscriptions,
    feedAt: (topic) => {
      const path = feedsUrlPathOf(siteUrl, topic)
      const output = path === undefined ? undefined : outputs.get(path)
      return output && isFeed(output.format) ? output : undefined
    },
    topicOf,
    hubUrl: options.hubUrl,
    settings,
    allowPrivateCallbacks: settings.allowPrivateCallbacks,
    log,
    ...(options.onEvent && { onEvent: options.onEvent }),
  })
  const sweep = setInterval(() => {
    hub.expireLeases().then(
      (n) => n > 0 && log.info(`websub: ${n} subscriptions expired`),
      (error: unknown) => log.error('websub: expiring leases failed', error),
    )
  }, settings.sweepSeconds * 1000)
  sweep.unref()
  return {
    hub,
    published: (published) => hub.distribute(feedsOf(published)),
    idle: hub.idle,
    close: () => {
      clearInterval(sweep)
      hub.close()
    },
  }
}
