// `feedwright init` and `feedwright links`: a new site's configuration, asked for or from flags.
import { spawn } from 'node:child_process'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { init } from '../../src/cli/init.js'
import { type CliIo, UsageError } from '../../src/cli/io.js'
import { links } from '../../src/cli/links.js'
import { loadConfig } from '../../src/config.js'
import { tempDir } from '../helpers/fixtures.js'

let dir: Awaited<ReturnType<typeof tempDir>>
beforeEach(async () => {
  dir = await tempDir()
})
afterEach(() => dir.cleanup())

/** A CLI io that records what is printed and answers prompts in order (a terminal) or has none. */
const fakeIo = (answers?: string[]) => {
  const out: string[] = []
  const err: string[] = []
  const asked: string[] = []
  const io: CliIo = {
    out: (line) => out.push(line),
    err: (line) => err.push(line),
    env: {},
    isTty: false,
    ...(answers && {
      ask: async (question: string) => {
        asked.push(question)
        return answers.shift() ?? ''
      },
    }),
  }
  return { io, out, err, asked }
}

const configFile = () => join(dir.path, 'feedwright.config.json')
const written = () => JSON.parse(readFileSync(configFile(), 'utf8')) as Record<string, unknown>

describe('feedwright init', () => {
  it('writes a valid configuration from flags, without seedFrom, and prints what to do next', async () => {
    const { io, out } = fakeIo()
    const code = await init(
      [
        '--title',
        'Ada notes',
        '--url=https://ada.example.com',
        '--language',
        'fr',
        '--author',
        'Ada',
        '--dir',
        dir.path,
      ],
      io,
    )
    expect(code).toBe(0)
    expect(written()).toEqual({
      site: {
        title: 'Ada notes',
        description: 'Articles from Ada notes',
        url: 'https://ada.example.com',
        language: 'fr',
        copyright: `© ${new Date().getFullYear()} Ada`,
      },
    })
    const config = loadConfig({ SITE_URL: 'https://elsewhere.example' }, dir.path)
    expect(config.seedFrom).toBeUndefined()
    const text = out.join('\n')
    expect(text).toMatch(/export FEEDWRIGHT_ADMIN_TOKEN=[0-9a-f]{48}/)
    expect(text).toContain('npx feedwright serve')
    expect(text).toContain(
      '<link rel="alternate" type="application/atom+xml" title="Ada notes (Atom 1.0)" href="https://ada.example.com/feeds/atom.xml">',
    )
    expect(text).toContain('https://ada.example.com/feeds.opml')
  })

  it('fails naming what is missing when nobody can be asked', async () => {
    const { io } = fakeIo()
    await expect(init(['--title', 'T', '--dir', dir.path], io)).rejects.toThrow(
      new UsageError('missing --url (or --yes for the defaults; on a terminal init asks)'),
    )
    await expect(init(['--dir', dir.path], io)).rejects.toThrow(/missing --title and --url/)
    expect(existsSync(configFile())).toBe(false)
  })

  it('asks on a terminal for what is missing, an empty answer taking the default', async () => {
    const { io, asked } = fakeIo(['My Blog', 'https://blog.example.org', '', '', ''])
    expect(await init(['--dir', dir.path], io)).toBe(0)
    expect(asked).toEqual([
      'Site title [My feedwright site]: ',
      'Public URL of the site [http://localhost:3000]: ',
      'Language [en]: ',
      'Description [Articles from My Blog]: ',
      'Author (optional): ',
    ])
    expect(written()).toEqual({
      site: {
        title: 'My Blog',
        description: 'Articles from My Blog',
        url: 'https://blog.example.org',
        language: 'en',
      },
    })
  })

  it('takes the defaults with --yes', async () => {
    expect(await init(['--yes', '--dir', dir.path], fakeIo().io)).toBe(0)
    expect(written()).toMatchObject({
      site: { title: 'My feedwright site', url: 'http://localhost:3000', language: 'en' },
    })
  })

  it('refuses to overwrite without --force', async () => {
    writeFileSync(configFile(), '{"site":{"title":"Mine"}}')
    const { io, err } = fakeIo()
    expect(await init(['--yes', '--dir', dir.path], io)).toBe(1)
    expect(err.join('\n')).toMatch(/exists; run with --force/)
    expect(readFileSync(configFile(), 'utf8')).toBe('{"site":{"title":"Mine"}}')
    expect(await init(['--yes', '--force', '--dir', dir.path], io)).toBe(0)
    expect(written()).toMatchObject({ site: { title: 'My feedwright site' } })
  })

  it('validates before writing, naming the flag', async () => {
    const { io } = fakeIo()
    await expect(
      init(['--title', 'T', '--url', 'ftp://files.example', '--dir', dir.path], io),
    ).rejects.toThrow(/--url\W+must be an http\(s\) URL/)
    await expect(
      init(['--yes', '--language', 'not a language', '--dir', dir.path], io),
    ).rejects.toThrow(/--language\W+must be a language tag/)
    await expect(init(['--yes', '--colour', 'red'], io)).rejects.toThrow(
      /Unknown option '--colour'/,
    )
    expect(existsSync(configFile())).toBe(false)
  })
})

describe('feedwright links', () => {
  it('prints the alternate link tags of the configured site', async () => {
    await init(
      ['--title', 'R&D <notes>', '--url', 'https://rd.example', '--dir', dir.path],
      fakeIo().io,
    )
    const { io, out } = fakeIo()
    expect(await links([], { ...io, env: { FEEDWRIGHT_CONFIG: configFile() } })).toBe(0)
    expect(out).toContain(
      '  <link rel="alternate" type="application/rss+xml" title="R&amp;D &lt;notes&gt; (RSS 2.0)" href="https://rd.example/feeds/rss.xml">',
    )
  })
})

describe('feedwright init on a terminal', () => {
  it('asks for each missing value through a real pseudo-terminal', async () => {
    // `script` gives the command a pseudo-terminal, so stdin and stdout are TTYs as for a person.
    const cli = join(import.meta.dirname, '../../dist/cli.js')
    const child = spawn(
      'script',
      ['-qfec', `${process.execPath} ${cli} init --dir ${dir.path}`, '/dev/null'],
      {
        stdio: ['pipe', 'pipe', 'pipe'],
      },
    )
    const answers = ['Terminal Site', 'https://tty.example.org', '', '', 'Ada']
    let output = ''
    let asked = 0
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString()
      // A question ends in "]: " or "): "; answer each once.
      const questions = output.match(/(?:\]|\)): /g)?.length ?? 0
      while (asked < questions && answers.length > 0) {
        asked += 1
        child.stdin.write(`${answers.shift()}\n`)
      }
    })
    const code = await new Promise<number | null>((done) => child.on('exit', done))
    expect(code).toBe(0)
    expect(asked).toBe(5)
    expect(written()).toEqual({
      site: {
        title: 'Terminal Site',
        description: 'Articles from Terminal Site',
        url: 'https://tty.example.org',
        language: 'en',
        copyright: `© ${new Date().getFullYear()} Ada`,
      },
    })
    expect(output).toContain('npx feedwright serve')
  })
})
