// Child process for the HTTP benchmark: the real feedwright app and a plain node:http server, both
// serving the same published bytes, so the load generator in the parent gets a core of its own.
import { serve } from '@hono/node-server'
import { readFileSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createScheduler } from '../src/builder/scheduler.js'
import { createApp } from '../src/http/app.js'
import { headWithLength } from '../src/http/head-length.js'
import { observedResponse } from '../src/http/observe.js'
import { createMetrics } from '../src/metrics.js'
import { encodedEtag } from '../src/publish/encodings.js'
import { openSqliteStore } from '../src/store/sqlite.js'
import { createPublishedOutputs, makeOutput, withEncodings } from '../src/publish/outputs.js'

const [file, urlPath, updated] = process.argv.slice(2) as [string, string, string]
const output = makeOutput({
  urlPath,
  feedKey: 'site',
  format: 'rss',
  text: readFileSync(file, 'utf8'),
  updated: new Date(updated),
})
const outputs = createPublishedOutputs()
outputs.put(await withEncodings(output))
// The whole app, as the service mounts it; the store and scheduler are idle while feeds are read.
const appOptions = {
  outputs,
  store: openSqliteStore(':memory:'),
  scheduler: createScheduler({
    build: () => Promise.reject(new Error('no builds in the serving benchmark')),
    nextId: () => Promise.resolve(1),
    cron: '0 0 1 1 *',
    onError: console.error,
  }),
  adminToken: undefined,
  clock: () => new Date(),
  lastBuild: () => undefined,
  maxAgeSeconds: 60,
  siteUrl: 'http://127.0.0.1',
  hubUrl: 'http://127.0.0.1/websub',
  log: console.error,
}
const app = createApp(appOptions)
// The same app with metrics on, as the service runs it: /metrics, and each request counted by the
// server's response class.
const metrics = createMetrics({ articles: () => Promise.resolve(0) })
const measuredApp = createApp({
  ...appOptions,
  metrics: { render: metrics.render, contentType: metrics.registry.contentType },
})

const published = outputs.get(urlPath)!
// The header fields feedwright sends with each coding but the ones the plain server writes itself,
// so that both answers are the same bytes on the wire (but for the Date).
const OWN = new Set(['content-length', 'content-encoding', 'etag', 'last-modified', 'date'])
const fieldsOf = async (coding: 'identity' | 'gzip' | 'br') => {
  const response = await app.request(urlPath, { headers: { 'accept-encoding': coding } })
  return Object.fromEntries([...response.headers].filter(([name]) => !OWN.has(name)))
}
const fields = {
  identity: await fieldsOf('identity'),
  gzip: await fieldsOf('gzip'),
  br: await fieldsOf('br'),
}

// Both served as the service serves its app: HEAD through headWithLength.
const measured = serve({
  fetch: headWithLength(measuredApp.fetch),
  port: 0,
  hostname: '127.0.0.1',
  serverOptions: { ServerResponse: observedResponse({ count: metrics.request }) },
})
await new Promise((resolve) => measured.once('listening', resolve))

const feedwright = serve(
  { fetch: headWithLength(app.fetch), port: 0, hostname: '127.0.0.1' },
  () => {
    const lastModified = published.lastModified.toUTCString()
    // The baseline: the least a server can do with the same precompressed bytes and validators.
    const plain = createServer((req, res) => {
      const accept = String(req.headers['accept-encoding'] ?? '')
      const coding = accept.includes('br') ? 'br' : accept.includes('gzip') ? 'gzip' : 'identity'
      const body = coding === 'identity' ? published.body : published.encoded[coding]
      const etag = encodedEtag(published.etag, coding)
      const headers = {
        ...fields[coding],
        ETag: etag,
        'Last-Modified': lastModified,
        ...(coding !== 'identity' && { 'Content-Encoding': coding }),
      }
      if (req.headers['if-none-match'] === etag) {
        res.writeHead(304, headers).end()
        return
      }
      res.writeHead(200, { ...headers, 'Content-Length': body.byteLength }).end(body)
    })
    plain.listen(0, '127.0.0.1', () => {
      process.send?.({
        feedwright: (feedwright.address() as AddressInfo).port,
        metrics: (measured.address() as AddressInfo).port,
        plain: (plain.address() as AddressInfo).port,
        etag: published.etag,
        bytes: {
          identity: published.body.byteLength,
          gzip: published.encoded.gzip.byteLength,
          br: published.encoded.br.byteLength,
        },
      })
    })
  },
)
// The parent asks for this process's CPU time around each round: server work per request, which
// load from other processes on a shared machine hardly changes (unlike requests per second).
process.on('message', (message) => {
  if (message !== 'cpu') return
  const { user, system } = process.cpuUsage()
  process.send?.({ cpuMicros: user + system })
})
process.on('disconnect', () => process.exit(0))
