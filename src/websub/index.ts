// WebSub for the service: feedwright's own hub (default) or pings to an external one, fed with the
// outputs each build published, in memory or on the shelf (stable pages; archives are not
// subscribed to: their Link header names no hub, and the hub knows no such topic).
import type { Config } from '../config.js'
import { archiveMonthOf, feedsUrlPathOf, siteUrlOf } from '../feeds/paths.js'
import { strongEtag } from '../lib/hash.js'
import { isFeed, type PublishedOutput, type PublishedOutputs } from '../publish/outputs.js'
import type { Shelf, ShelvedOutput } from '../publish/shelf.js'
import type { SubscriptionStore } from '../store/store.js'
import type { FeedVersion } from './hub-settings.js'
import { createHub, type Hub, type HubOptions } from './hub.js'
import { createPublishPing } from './publish-ping.js'

export type { Hub } from './hub.js'

export interface WebSubOptions {
  settings: Config['websub']
  hubUrl: string
  siteUrl: string
  outputs: PublishedOutputs
  /** Where stable pages (and archives) are served from, when there is a shelf. */
  shelf?: Pick<Shelf, 'get' | 'read'>
  subscriptions: SubscriptionStore
  log: { info(message: string): void; error(message: string, error?: unknown): void }
  /** Told of each hub event (metrics). */
  onEvent?: HubOptions['onEvent']
}

export interface WebSub {
  /** The built-in hub; absent when an external hub is configured. */
  hub?: Hub
  /** Tells subscribers (or the external hub) about the outputs a build published. */
  published(outputs: ReadonlyArray<PublishedOutput | ShelvedOutput>): Promise<void>
  idle(): Promise<void>
  close(): void
}

type Output = PublishedOutput | ShelvedOutput

/** Whether an output is a feed that is subscribed to: any feed but an archive document. */
const subscribable = (output: Output): boolean =>
  isFeed(output.format) && archiveMonthOf(output.urlPath) === undefined

/**
 * A feed as the hub delivers it: from memory, or read from the shelf when a delivery needs it, and
 * only while the shelf's file still holds that version (its bytes' ETag).
 */
const versionOf = (shelf: WebSubOptions['shelf'], output: Output): FeedVersion => {
  if ('body' in output) return output
  const { urlPath, format, contentType, etag } = output
  const read = async () => {
    const bytes = await shelf?.read(output, 'identity').catch(() => undefined)
    return bytes && strongEtag(bytes) === etag ? bytes : undefined
  }
  return { urlPath, format, contentType, etag, read }
}

export const startWebSub = (options: WebSubOptions): WebSub => {
  const { settings, siteUrl, outputs, shelf, log } = options
  // A topic is the feed's self URL as the feed gives it: percent-encoded (feeds/paths.ts).
  const topicOf = (output: { urlPath: string }) => siteUrlOf(siteUrl, output.urlPath)
  const feedsOf = (published: readonly Output[]) => published.filter(subscribable)
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
      const output = path === undefined ? undefined : (outputs.get(path) ?? shelf?.get(path))
      return output && subscribable(output) ? versionOf(shelf, output) : undefined
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
    published: (published) =>
      hub.distribute(feedsOf(published).map((output) => versionOf(shelf, output))),
    idle: hub.idle,
    close: () => {
      clearInterval(sweep)
      hub.close()
    },
  }
}
