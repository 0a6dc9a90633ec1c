// `feedwright validate` on other people's feeds: errors against warnings, --strict, items numbered
// from 1, the declared encoding, and why a URL could not be fetched.
import { execFile } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { join, resolve } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { whyFetchFailed } from '../../src/cli/io.js'
import { tempDir } from '../helpers/fixtures.js'

const ROOT = resolve(import.meta.dirname, '../..')
const CLI = join(ROOT, 'dist/cli.js')

let dir: Awaited<ReturnType<typeof tempDir>>
beforeEach(async () => {
  dir = await tempDir()
})
afterEach(() => dir.cleanup())

const run = (...args: string[]) =>
  new Promise<{ code: number; out: string; err: string }>((done) => {
    execFile(
      process.execPath,
      [CLI, 'validate', ...args],
      { cwd: dir.path, env: { PATH: process.env.PATH } },
      (error, out, err) => done({ code: error ? Number(error.code) : 0, out, err }),
    )
  })

const write = (name: string, content: string | Buffer): string => {
  writeFileSync(join(dir.path, name), content)
  return name
}

// Valid RSS 2.0: guid is optional, and a relative link is not forbidden by the spec.
const SPEC_VALID_RSS = `<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel>
  <title>Plain</title><link>https://plain.example.com/</link><description>d</description>
  <item><title>First</title><link>https://plain.example.com/1</link>
    <pubDate>Fri, 20 Nov 2026 10:00:00 GMT</pubDate></item>
  <item><title>Second</title><link>/2</link><guid>https://plain.example.com/2</guid></item>
</channel></rss>`

describe('feedwright validate', () => {
  it('passes a spec-valid RSS feed without guids, with warnings numbered from 1', async () => {
    const result = await run(write('plain.xml', SPEC_VALID_RSS))
    expect(result.code).toBe(0)
    expect(result.out).toContain('plain.xml: ok (RSS 2.0), 3 warnings')
    expect(result.out).toContain('  warning [item-ids] item 1 has no id')
    expect(result.out).toContain('  warning [absolute-urls] "/2" is not an absolute http(s) URL')
    expect(result.out).toContain('  warning [self-link]')
    expect(result.out).not.toContain('error')
  })

  it('fails on warnings only with --strict', async () => {
    const result = await run('--strict', write('plain.xml', SPEC_VALID_RSS))
    expect(result.code).toBe(1)
    expect(result.out).toContain('plain.xml: FAIL (RSS 2.0), 3 warnings')
  })

  it('fails on errors, told apart from warnings', async () => {
    const result = await run(join(ROOT, 'fixtures/import/broken-rss.xml'))
    expect(result.code).toBe(1)
    expect(result.out).toMatch(/broken-rss\.xml: FAIL \(RSS 2\.0\), \d+ errors, \d+ warnings/)
    expect(result.out).toContain('  error [required-elements] missing channel/description')
    expect(result.out).toContain('  error [date-format] item 1 published "2026-11-20"')
    expect(result.out).toContain('  warning [unique-ids] id post-1 appears twice')
  })

  it('requires what RSS requires of an enclosure, and only advises it for Media RSS', async () => {
    const withMedia = (element: string) =>
      SPEC_VALID_RSS.replace(
        '<rss version="2.0">',
        '<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/">',
      ).replace('<title>First</title>', `<title>First</title>${element}`)
    const media = await run(
      write('media.xml', withMedia('<media:content url="https://plain.example.com/a.jpg"/>')),
    )
    expect(media.code).toBe(0)
    expect(media.out).toContain(
      'warning [media-details] item 1 media https://plain.example.com/a.jpg',
    )
    const enclosure = await run(
      write(
        'enclosure.xml',
        withMedia('<enclosure url="https://plain.example.com/a.mp3" type="audio/mpeg"/>'),
      ),
    )
    expect(enclosure.code).toBe(1)
    expect(enclosure.out).toContain(
      'error [media] item 1 enclosure https://plain.example.com/a.mp3',
    )
  })

  it('reads the declared encoding, and fails bytes that do not match it', async () => {
    const latin1 = Buffer.from(
      SPEC_VALID_RSS.replace('utf-8', 'ISO-8859-1').replace('Plain', 'Café'),
      'latin1',
    )
    const ok = await run(write('latin1.xml', latin1))
    expect(ok.code).toBe(0)
    const badBytes = Buffer.from(SPEC_VALID_RSS.replace('Plain', 'Caf\u00e9'), 'latin1')
    const bad = await run(write('bad.xml', badBytes))
    expect(bad.code).toBe(1)
    expect(bad.out).toContain('  error [encoding] the bytes are not valid utf-8 (as declared)')
    const unknown = await run(write('unknown.xml', SPEC_VALID_RSS.replace('utf-8', 'x-klingon')))
    expect(unknown.code).toBe(1)
    expect(unknown.out).toContain(
      'error [encoding] declares encoding "x-klingon", which is not known',
    )
  })

  it('says why a URL could not be fetched: a refused connection', async () => {
    // A port that was just free: nothing listens on it.
    const server = createServer()
    await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening))
    const { port } = server.address() as { port: number }
    await new Promise((closed) => server.close(closed))
    const result = await run(`http://127.0.0.1:${port}/feed.xml`)
    expect(result.code).toBe(1)
    expect(result.err).toContain('could not be fetched: the connection was refused')
  })

  it('names DNS failures and timeouts', () => {
    const dns = new TypeError('fetch failed', {
      cause: Object.assign(new Error('getaddrinfo ENOTFOUND x.invalid'), { code: 'ENOTFOUND' }),
    })
    expect(whyFetchFailed(dns)).toBe('its host name does not resolve (DNS ENOTFOUND)')
    const timeout = new DOMException('The operation was aborted due to timeout', 'TimeoutError')
    expect(whyFetchFailed(timeout)).toBe('no answer within 15 s (timeout)')
  })
})
