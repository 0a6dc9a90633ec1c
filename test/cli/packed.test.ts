// The five-minute path, end to end: the packed tarball installed into an empty folder, then
// `npx feedwright init … && npx feedwright serve`, one article posted, and the feeds carrying it.
// npm prefers its cache (filled by the project's own install) and asks the npm registry only for
// what the cache lacks, as a new user's install would; better-sqlite3 builds from source, so
// nothing else is downloaded.
import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { mkdir, readdir } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { tempDir } from '../helpers/fixtures.js'
import { until } from '../helpers/service.js'

const ROOT = resolve(import.meta.dirname, '../..')
const run = promisify(execFile)
const TOKEN = 'five-minute-path-token-0123456789'
// Installing compiles better-sqlite3 (a minute or two on a busy machine).
const INSTALL_MS = 540_000

let dir: Awaited<ReturnType<typeof tempDir>>
let child: ChildProcess | undefined
const output: string[] = []
const timings: Record<string, number> = {}

const timed = async <T>(name: string, step: () => Promise<T>): Promise<T> => {
  const started = Date.now()
  try {
    return await step()
  } finally {
    timings[name] = Date.now() - started
  }
}

beforeAll(async () => {
  dir = await tempDir()
  const site = join(dir.path, 'my-site')
  await mkdir(site)
  // dist/ is built by the global set-up; packing must not rebuild it under other tests' feet.
  await timed('pack', () =>
    run('npm', ['pack', '--ignore-scripts', '--pack-destination', dir.path], { cwd: ROOT }),
  )
  const tarball = (await readdir(dir.path)).find((name) => name.endsWith('.tgz'))!
  await timed('install', () =>
    run(
      'npm',
      ['install', '--prefer-offline', '--no-audit', '--no-fund', join(dir.path, tarball)],
      {
        cwd: site,
        env: { ...process.env, npm_config_build_from_source: 'true' },
        maxBuffer: 16 * 1024 * 1024,
      },
    ),
  )
}, INSTALL_MS)

afterAll(async () => {
  if (child && child.exitCode === null) {
    const exited = new Promise((done) => child!.once('exit', done))
    child.kill('SIGTERM')
    await exited
  }
  if (process.env.SHOW_TIMINGS) console.log('five-minute path (ms):', timings)
  await dir?.cleanup()
})

describe('from an empty folder to feeds of your own', () => {
  it('runs init && serve from the installed tarball, starts empty, and publishes a posted article', async () => {
    const started = Date.now()
    child = spawn(
      'sh',
      [
        '-c',
        'npx feedwright init --title "Ada notes" --url https://ada.example.com --author Ada && npx feedwright serve',
      ],
      {
        cwd: join(dir.path, 'my-site'),
        env: {
          PATH: process.env.PATH,
          HOME: process.env.HOME,
          PORT: '0',
          HOST: '127.0.0.1',
          FEEDWRIGHT_ADMIN_TOKEN: TOKEN,
          REBUILD_DEBOUNCE_MS: '200',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    )
    child.stdout!.on('data', (chunk: Buffer) => output.push(chunk.toString()))
    child.stderr!.on('data', (chunk: Buffer) => output.push(chunk.toString()))
    let url = ''
    await until(
      'feedwright serve listens',
      () => {
        url = /serving on (http:\/\/\S+)/.exec(output.join(''))?.[1] ?? ''
        if (child!.exitCode !== null) throw new Error(`exited: ${output.join('')}`)
        return url !== ''
      },
      60_000,
    )
    timings.initAndServe = Date.now() - started
    const text = output.join('')
    expect(text).toContain('<link rel="alternate" type="application/rss+xml"')
    expect(text).not.toContain('seeded')

    const empty = (await (await fetch(`${url}/feeds/feed.json`)).json()) as { items: unknown[] }
    expect(empty.items).toEqual([])

    const posted = await fetch(`${url}/api/articles`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        id: 'hello-world',
        title: 'Hello, world',
        summary: 'The first article of my own site.',
        contentHtml: '<p>It works.</p>',
        url: 'https://ada.example.com/hello-world',
        authors: [{ name: 'Ada' }],
        publishedAt: '2026-11-29T09:00:00Z',
        tags: ['Meta'],
      }),
    })
    expect(posted.status).toBe(201)
    const postedAt = Date.now()
    await until('the feeds carry the article', async () => {
      const feed = (await (await fetch(`${url}/feeds/feed.json`)).json()) as {
        items: Array<{ id: string; title: string }>
      }
      return feed.items.some((i) => i.title === 'Hello, world')
    })
    timings.postToFeed = Date.now() - postedAt
    const atom = await (await fetch(`${url}/feeds/atom.xml`)).text()
    // Ids are RFC 4151 tag: URIs minted from the site's host and first build's day.
    expect(atom).toMatch(/<id>tag:ada\.example\.com,\d{4}-\d{2}-\d{2}:articles\/hello-world<\/id>/)
    // The OPML list follows at the end of the same build.
    await until('the OPML list names the new tag feed', async () =>
      (await (await fetch(`${url}/feeds.opml`)).text()).includes(
        'xmlUrl="https://ada.example.com/feeds/tags/meta/rss.xml"',
      ),
    )
  }, 120_000)
})
