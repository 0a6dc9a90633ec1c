// WebSub fan-out: deliveries per second from the built-in hub to local subscribers, each delivery
// a signed POST of a real feed, the subscribers in a child process.
import { fork } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { createPublishedOutputs, makeOutput, withEncodings } from '../src/publish/outputs.js'
import { openSqliteStore } from '../src/store/sqlite.js'
import { createHub } from '../src/websub/hub.js'

const SITE = 'https://news.example.org'
const SECRET = 'bench-secret'

export interface FanOutFigure {
  subscribers: number
  topics: number
  deliveries: number
  bodyBytes: number
  verifyMs: number
  deliveriesPerSecond: number
  badSignatures: number
}

/** Subscribes `subscribers` callbacks to each of `topics` feeds, then measures `rounds` changes. */
export const measureFanOut = async (
  subscribers = 100,
  topics = 10,
  rounds = 5,
): Promise<FanOutFigure> => {
  const child = fork(
    resolve(import.meta.dirname, 'subscribers.ts'),
    [String(subscribers), SECRET],
    {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    },
  )
  const { callbacks } = await new Promise<{ callbacks: string[] }>((done) =>
    child.once('message', (m) => done(m as { callbacks: string[] })),
  )
  const store = openSqliteStore(':memory:')
  const outputs = createPublishedOutputs()
  // The fixture site feed (16 KB of real prose) under `topics` URLs.
  const text = readFileSync(resolve(import.meta.dirname, '../test/golden/site.atom.xml'), 'utf8')
  const paths = Array.from({ length: topics }, (_, i) => `/feeds/topic-${i}/atom.xml`)
  const hub = createHub({
    subscriptions: store.subscriptions,
    feedAt: (topic) => outputs.get(topic.slice(SITE.length)),
    topicOf: (output) => `${SITE}${output.urlPath}`,
    hubUrl: `${SITE}/websub`,
    settings: {
      defaultLeaseSeconds: 86_400,
      minLeaseSeconds: 60,
      maxLeaseSeconds: 86_400,
      attempts: 3,
      retryBaseMs: 1_000,
      timeoutMs: 10_000,
      // Every verification of the run is asked for at once.
      maxPendingVerifications: subscribers * topics,
    },
    allowPrivateCallbacks: true,
    log: { info: () => {}, error: console.error },
  })
  const version = (n: number) =>
    Promise.all(
      paths.map((urlPath) =>
        withEncodings(
          makeOutput({
            urlPath,
            feedKey: urlPath,
            format: 'atom',
            text: text.replace('<title>', `<title>v${n} `),
            updated: new Date(),
          }),
        ),
      ),
    )
  for (const output of await version(0)) outputs.put(output)

  let started = process.hrtime.bigint()
  for (const urlPath of paths) {
    for (const callback of callbacks) {
      const form = new URLSearchParams({
        'hub.mode': 'subscribe',
        'hub.callback': callback,
        'hub.topic': `${SITE}${urlPath}`,
        'hub.secret': SECRET,
      })
      await hub.request(form)
    }
  }
  await hub.idle()
  const verifyMs = Number(process.hrtime.bigint() - started) / 1e6

  started = process.hrtime.bigint()
  for (let round = 1; round <= rounds; round += 1) {
    await hub.distribute(await version(round))
    await hub.idle()
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9
  child.send('count')
  const counted = await new Promise<{ delivered: number; badSignatures: number }>((done) =>
    child.once('message', (m) => done(m as { delivered: number; badSignatures: number })),
  )
  child.kill()
  hub.close()
  await store.close()
  return {
    subscribers,
    topics,
    deliveries: counted.delivered,
    bodyBytes: Buffer.byteLength(text),
    verifyMs,
    deliveriesPerSecond: Math.round(counted.delivered / seconds),
    badSignatures: counted.badSignatures,
  }
}
