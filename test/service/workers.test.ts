// WORKERS > 1: the built `feedwright serve` as a real cluster (a primary that builds, worker
// processes that serve), on a SQLite site of its own.
import { type ChildProcess, spawn } from 'node:child_process'
import { readFile, writeFile } from 'node:fs/promises'
import { Agent, request } from 'node:http'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { ADMIN_TOKEN, adminApi, apiArticle } from '../helpers/admin.js'
import { useCliSite } from '../helpers/cli-site.js'
import {
  dropSchema,
  newSchema,
  postgresUnavailable,
  TEST_DATABASE_URL,
} from '../helpers/postgres.js'
import { until } from '../helpers/service.js'
import { hubRequest, startSubscriber } from '../helpers/subscriber.js'

const CLI = join(import.meta.dirname, '../../dist/cli.js')

interface Answer {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: Buffer
}

interface Cluster {
  child: ChildProcess
  url: string
  output: () => string
  exited: Promise<number | null>
}

const running: Cluster[] = []

afterEach(async () => {
  for (const cluster of running.splice(0)) {
    cluster.child.kill('SIGTERM')
    await cluster.exited
  }
})

/** Starts `feedwright serve` with `env`; resolves once it says where it serves. */
const startServe = async (env: Record<string, string>, args: string[] = []): Promise<Cluster> => {
  const child = spawn(process.execPath, [CLI, 'serve', ...args], {
    env: { ...process.env, PORT: '0', FEEDWRIGHT_ADMIN_TOKEN: ADMIN_TOKEN, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()))
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()))
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  const cluster: Cluster = { child, url: '', output: () => output, exited }
  running.push(cluster)
  await until('the service says where it serves', () => /serving on http:\/\//.test(output), 30_000)
  cluster.url = /serving on (http:\/\/\S+)/.exec(output)![1]!
  return cluster
}

/** GETs each path in turn over one connection, so that one worker answers them all. */
const onOneConnection = async (url: string, paths: string[]): Promise<Answer[]> => {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 })
  const answers: Answer[] = []
  try {
    for (const path of paths) answers.push(await get(`${url}${path}`, agent))
  } finally {
    agent.destroy()
  }
  return answers
}

const get = (url: string, agent: Agent | false, headers: Record<string, string> = {}) =>
  new Promise<Answer>((resolve, reject) => {
    const req = request(url, { agent, headers }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('end', () =>
        resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }),
      )
      res.on('error', reject)
    })
    req.on('error', reject)
    // A request never answered fails the test rather than hanging it.
    req.setTimeout(5_000, () => req.destroy(new Error(`no answer from ${url} within 5 s`)))
    req.end()
  })

const pidOf = (answer: Answer): number =>
  (JSON.parse(answer.body.toString()) as { worker: { pid: number } }).worker.pid

/** What each worker serves at `paths` (keyed by pid), over new connections until all `size` answered. */
const fromEveryWorker = async (url: string, paths: string[], size: number) => {
  const byPid = new Map<number, Answer[]>()
  for (let attempt = 0; byPid.size < size && attempt < 50; attempt += 1) {
    const [health, ...answers] = await onOneConnection(url, ['/healthz', ...paths])
    byPid.set(pidOf(health!), answers)
  }
  return byPid
}

/** A connection (an agent of one socket) that the worker with this pid holds. */
const connectionTo = async (url: string, pid: number): Promise<Agent> => {
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 })
    if (pidOf(await get(`${url}/healthz`, agent)) === pid) return agent
    agent.destroy()
  }
  throw new Error(`no connection reached worker ${pid}`)
}

const RSS = '/feeds/rss.xml'
const ARCHIVE = '/feeds/archive/2026/11/rss.xml'

/**
 * After an admin write and the rebuild it asks for, every worker serves the new feed and archive:
 * the bytes the builder wrote, one ETag and Last-Modified, as soon as the build's report exists.
 */
const expectSameOnEveryWorker = async (cluster: Cluster, feedsDir: string): Promise<void> => {
  const before = await fromEveryWorker(cluster.url, [RSS], 2)
  expect(before.size).toBe(2)
  const api = adminApi(cluster.url)
  expect((await api.post('/api/articles', apiArticle('cluster-1'))).status).toBe(201)
  const { id } = (await (await api.post('/api/rebuild', {})).json()) as { id: number }
  await until('the rebuild has a report', async () => {
    const report = (await (await api.call('GET', `/api/builds/${id}`)).json()) as {
      status: string
    }
    return report.status === 'finished'
  })
  // The build has ended: every worker serves its outputs already (they went out as published).
  const after = await fromEveryWorker(cluster.url, [RSS, ARCHIVE], 2)
  expect(after.size).toBe(2)
  const onDisk = await readFile(join(feedsDir, 'rss.xml'))
  const [first, second] = [...after.values()]
  for (const [rss, archive] of [first!, second!]) {
    expect(rss!.status).toBe(200)
    expect(rss!.body.equals(onDisk)).toBe(true)
    expect(rss!.body.toString()).toContain('cluster-1')
    expect(archive!.status).toBe(200)
    expect(archive!.body.toString()).toContain('cluster-1')
  }
  expect(first![0]!.headers.etag).not.toBe([...before.values()][0]![0]!.headers.etag)
  expect(second![0]!.headers.etag).toBe(first![0]!.headers.etag)
  expect(second![0]!.headers['last-modified']).toBe(first![0]!.headers['last-modified'])
  expect(second![1]!.headers.etag).toBe(first![1]!.headers.etag)
  expect(second![1]!.body.equals(first![1]!.body)).toBe(true)
}

describe('feedwright serve with WORKERS=2 (SQLite)', () => {
  const site = useCliSite()

  it('serves the same bytes, ETag and Last-Modified from every worker once a build ends', async () => {
    const cluster = await startServe({ ...site().env, WORKERS: '2', REBUILD_DEBOUNCE_MS: '50' })
    await expectSameOnEveryWorker(cluster, site().env.FEEDS_DIR!)
  }, 60_000)

  it('serves stable pages (on the shelf, read from FEEDS_DIR) alike from every worker', async () => {
    // 5 articles, 2 a document, 3 documents a feed: the site feed keeps stable pages 1 and 2.
    const env = { ...site().env, WORKERS: '2', FEED_LIMIT: '2', FEED_PAGES: '3' }
    // Callbacks on loopback: the test's subscriber.
    const config = { site: { title: 'Paged' }, websub: { allowPrivateCallbacks: true } }
    await writeFile(site().env.FEEDWRIGHT_CONFIG!, JSON.stringify(config))
    const cluster = await startServe({ ...env, REBUILD_DEBOUNCE_MS: '50' })
    const api = adminApi(cluster.url)
    for (const day of [21, 22, 23, 24, 25]) {
      const article = apiArticle(`paged-${day}`, { publishedAt: `2026-11-${day}T10:00:00Z` })
      expect((await api.post('/api/articles', article)).status).toBe(201)
    }
    const { id } = (await (await api.post('/api/rebuild', {})).json()) as { id: number }
    await until('the rebuild has a report', async () => {
      const report = (await (await api.call('GET', `/api/builds/${id}`)).json()) as {
        status: string
      }
      return report.status === 'finished'
    })
    const pages = ['/feeds/stable/1/rss.xml', '/feeds/stable/2/atom.xml']
    const answers = [...(await fromEveryWorker(cluster.url, pages, 2)).values()]
    expect(answers).toHaveLength(2)
    for (const [i, path] of pages.entries()) {
      const onDisk = await readFile(join(site().env.FEEDS_DIR!, path.slice('/feeds/'.length)))
      const [first, second] = answers.map((a) => a[i]!)
      expect(first!.status).toBe(200)
      expect(first!.body.equals(onDisk)).toBe(true)
      expect(second!.body.equals(onDisk)).toBe(true)
      expect(second!.headers.etag).toBe(first!.headers.etag)
      expect(second!.headers['last-modified']).toBe(first!.headers['last-modified'])
      expect(first!.headers.link).toContain('rel="hub"')
    }
    // Each worker's hub knows a stable page as a topic (and verifies it), and no other.
    const subscriber = await startSubscriber()
    try {
      const subscribe = (topic: string) =>
        hubRequest(cluster.url, {
          'hub.mode': 'subscribe',
          'hub.callback': subscriber.callback('/stable'),
          'hub.topic': `${site().env.SITE_URL}${topic}`,
        })
      for (let i = 0; i < 4; i += 1) {
        expect((await subscribe(pages[0]!)).status).toBe(202)
        expect((await subscribe('/feeds/stable/9/rss.xml')).status).toBe(400)
      }
      await until('a verification', () => subscriber.verifications.length > 0)
    } finally {
      await subscriber.close()
    }
  }, 60_000)

  it('answers the builds in /metrics on every worker, though the primary builds', async () => {
    const cluster = await startServe({ ...site().env, WORKERS: '2' })
    const api = adminApi(cluster.url)
    const { id } = (await (await api.post('/api/rebuild', {})).json()) as { id: number }
    await until('the rebuild has a report', async () => {
      const report = (await (await api.call('GET', `/api/builds/${id}`)).json()) as {
        status: string
      }
      return report.status === 'finished'
    })
    const metrics = await fromEveryWorker(cluster.url, ['/metrics'], 2)
    expect(metrics.size).toBe(2)
    for (const [text] of metrics.values()) {
      const body = text!.body.toString()
      expect(body).toMatch(/^feedwright_builds_total\{result="ok"\} [1-9]/m)
      expect(body).toMatch(/^feedwright_last_successful_build_timestamp_seconds [1-9]/m)
    }
  }, 60_000)

  it('replaces a killed worker without losing requests on the other one', async () => {
    const cluster = await startServe({ ...site().env, WORKERS: '2' })
    const workers = await fromEveryWorker(cluster.url, [RSS], 2)
    const [victim, survivor] = [...workers.keys()]
    const etag = workers.get(survivor!)![0]!.headers.etag
    // A steady stream of requests on a connection the survivor holds, before, during and after.
    const agent = await connectionTo(cluster.url, survivor!)
    let streaming = true
    const stream = (async () => {
      const statuses: Array<number | string> = []
      while (streaming)
        statuses.push(
          await get(`${cluster.url}${RSS}`, agent).then(
            (answer) => answer.status,
            (error: unknown) => String(error),
          ),
        )
      return statuses
    })()
    await new Promise((resolve) => setTimeout(resolve, 200))
    process.kill(victim!, 'SIGKILL')
    await until('another worker replaced the killed one', async () => {
      const pids = await fromEveryWorker(cluster.url, [], 2)
      return pids.size === 2 && !pids.has(victim!)
    })
    streaming = false
    const statuses = await stream
    agent.destroy()
    expect(statuses.length).toBeGreaterThan(10)
    expect(statuses.filter((status) => status !== 200)).toEqual([])
    const replaced = await fromEveryWorker(cluster.url, [RSS], 2)
    const replacement = [...replaced.keys()].find((pid) => pid !== survivor)!
    expect(replacement).not.toBe(victim)
    expect(replaced.get(replacement)![0]!.headers.etag).toBe(etag)
    expect(cluster.output()).toMatch(/worker \d+ \(pid \d+\) exited \(SIGKILL\); forking another/)
  }, 60_000)

  it('stops every worker on SIGTERM to the primary', async () => {
    const cluster = await startServe({ ...site().env }, ['--workers', '2'])
    const pids = [...(await fromEveryWorker(cluster.url, [], 2)).keys()]
    expect(pids).toHaveLength(2)
    cluster.child.kill('SIGTERM')
    expect(await cluster.exited).toBe(0)
    const alive = (pid: number) => {
      try {
        process.kill(pid, 0)
        return true
      } catch {
        return false
      }
    }
    await until('the workers are gone', () => pids.every((pid) => !alive(pid)), 5_000)
  }, 60_000)

  it('refuses an invalid WORKERS or --workers, naming it', async () => {
    const run = (env: Record<string, string>, args: string[]) =>
      new Promise<{ code: number | null; err: string }>((resolve) => {
        const child = spawn(process.execPath, [CLI, 'serve', ...args], {
          env: { ...process.env, ...site().env, PORT: '0', ...env },
          stdio: ['ignore', 'ignore', 'pipe'],
        })
        let err = ''
        child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()))
        child.on('exit', (code) => resolve({ code, err }))
      })
    const zero = await run({ WORKERS: '0' }, [])
    expect(zero.code).toBe(1)
    expect(zero.err).toContain('WORKERS must be a whole number of processes 1–256, or auto')
    const word = await run({}, ['--workers', 'many'])
    expect(word.code).toBe(2)
    expect(word.err).toContain('--workers takes a number of processes or auto (got many)')
  }, 30_000)
})

describe.skipIf(postgresUnavailable)('feedwright serve with WORKERS=2 (PostgreSQL)', () => {
  const site = useCliSite()
  const schema = newSchema()
  afterEach(() => dropSchema(schema))

  it('serves the same bytes, ETag and Last-Modified from every worker once a build ends', async () => {
    const env = { ...site().env, DATABASE_URL: TEST_DATABASE_URL, DATABASE_SCHEMA: schema }
    const cluster = await startServe({ ...env, WORKERS: '2', REBUILD_DEBOUNCE_MS: '50' })
    await expectSameOnEveryWorker(cluster, site().env.FEEDS_DIR!)
    // Stopped before its schema is dropped.
    cluster.child.kill('SIGTERM')
    expect(await cluster.exited).toBe(0)
  }, 60_000)
})
