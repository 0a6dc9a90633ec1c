// With an external hub (WEBSUB_HUB_URL), feedwright tells it which feeds changed after each build
// (the de facto `hub.mode=publish` ping of PubSubHubbub hubs), retried with backoff.
import type { OutboundLimits } from './outbound.js'
import { limiter, send } from './outbound.js'
import { createRetrier } from './retries.js'

export interface PublishPingOptions {
  hubUrl: string
  attempts: number
  retryBaseMs: number
  timeoutMs: number
  log: { error(message: string, error?: unknown): void }
}

export interface PublishPing {
  /** Pings the hub for each topic, in the background. */
  notify(topics: readonly string[]): void
  idle(): Promise<void>
  close(): void
}

export const createPublishPing = (options: PublishPingOptions): PublishPing => {
  const limits: OutboundLimits = { timeoutMs: options.timeoutMs, maxResponseBytes: 4096 }
  // A full build changes every feed: ping a few at a time, not hundreds at once.
  const inFlight = limiter(8)
  // The hub is the operator's choice (it may be on an intranet): no address guard.
  const retrier = createRetrier({
    attempts: options.attempts,
    baseMs: options.retryBaseMs,
    onGiveUp: (what, reason) => options.log.error(`websub: gave up ${what}: ${reason}`),
  })
  return {
    notify: (topics) => {
      for (const topic of topics) {
        // hub.url is what PubSubHubbub hubs read; hub.topic is the WebSub name of the same thing.
        const body = new URLSearchParams({
          'hub.mode': 'publish',
          'hub.url': topic,
          'hub.topic': topic,
        })
        retrier.run(`publishing ${topic} to ${options.hubUrl}`, async () => {
          const answer = await inFlight(() =>
            send(
              options.hubUrl,
              {
                method: 'POST',
                headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
                body: body.toString(),
              },
              limits,
            ),
          )
          if (answer.status < 200 || answer.status > 299) {
            throw new Error(`the hub answered HTTP ${answer.status}`)
          }
        })
      }
    },
    idle: () => retrier.idle(),
    close: () => retrier.close(),
  }
}
