// The baseline for bench/cluster.ts: plain node:http on node:cluster, one worker per core, serving
// the same bytes with the same header fields as feedwright (identity and gzip, 304 on a matching
// If-None-Match), and nothing else: what Node itself costs on every core, with no framework.
// Started by bench/cluster.ts: `tsx bench/plain-cluster.ts <file> <gzip file> <port> <headers JSON>`.
import cluster from 'node:cluster'
import { readFileSync } from 'node:fs'
import { createServer } from 'node:http'
import { availableParallelism } from 'node:os'

type Headers = Record<string, string>

const [file, gzipFile, port, headersJson] = process.argv.slice(2) as [
  string,
  string,
  string,
  string,
]

if (cluster.isPrimary) {
  for (let i = 0; i < availableParallelism(); i += 1) cluster.fork()
  process.once('SIGTERM', () => {
    for (const worker of Object.values(cluster.workers ?? {})) worker?.kill()
    process.exit(0)
  })
} else {
  const { identity, gzip } = JSON.parse(headersJson) as { identity: Headers; gzip: Headers }
  const bodies = { identity: readFileSync(file), gzip: readFileSync(gzipFile) }
  const notModified: Headers = { ...identity }
  delete notModified['content-length']
  delete notModified['content-type']
  createServer((req, res) => {
    if (req.headers['if-none-match'] === identity.etag) {
      res.writeHead(304, notModified)
      return res.end()
    }
    const coding = /\bgzip\b/.test(req.headers['accept-encoding'] ?? '') ? 'gzip' : 'identity'
    res.writeHead(200, coding === 'gzip' ? gzip : identity)
    res.end(bodies[coding])
  }).listen(Number(port), '127.0.0.1')
}
