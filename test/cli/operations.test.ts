// The built `feedwright` as an operator runs it: start-up that fails fast and clearly, the
// configuration it explains, its version.
import { execFile } from 'node:child_process'
import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { FIXTURES_DIR, tempDir } from '../helpers/fixtures.js'

const ROOT = resolve(import.meta.dirname, '../..')
const CLI = join(ROOT, 'dist/cli.js')

let dir: Awaited<ReturnType<typeof tempDir>>
beforeEach(async () => {
  dir = await tempDir()
  writeFileSync(join(dir.path, 'feedwright.config.json'), JSON.stringify({ feedLimit: 20 }))
})
afterEach(() => dir.cleanup())

const run = (env: Record<string, string>, ...args: string[]) =>
  new Promise<{ code: number; out: string; err: string; ms: number }>((done) => {
    const started = performance.now()
    execFile(
      process.execPath,
      [CLI, ...args],
      {
        cwd: dir.path,
        timeout: 20_000,
        env: {
          PATH: process.env.PATH,
          PORT: '0',
          DATA_DIR: join(dir.path, 'data'),
          FEEDS_DIR: join(dir.path, 'feeds'),
          FIXTURES_DIR,
          ...env,
        },
      },
      (error, out, err) =>
        done({
          code: error ? Number(error.code) : 0,
          out,
          err,
          ms: performance.now() - started,
        }),
    )
  })

describe('feedwright serve fails fast on what it cannot use', () => {
  it('stops at once on a FEEDS_DIR under /proc, naming it (no spinning on mkdir)', async () => {
    const { code, err, ms } = await run({ FEEDS_DIR: '/proc/fw' }, 'serve')
    expect(code).toBe(1)
    expect(err.trim()).toBe(
      'feedwright serve: FEEDS_DIR=/proc/fw cannot be used: cannot create it (ENOENT); point FEEDS_DIR at a writable directory',
    )
    expect(ms).toBeLessThan(10_000)
  })

  it('stops on a DATA_DIR below a file', async () => {
    const file = join(dir.path, 'a-file')
    writeFileSync(file, '')
    const { code, err } = await run({ DATA_DIR: join(file, 'data') }, 'serve')
    expect(code).toBe(1)
    expect(err.trim()).toBe(
      `feedwright serve: DATA_DIR=${join(file, 'data')} cannot be used: cannot create it (ENOTDIR); point DATA_DIR at a writable directory`,
    )
  })

  it('stops on a configuration mistake with one line naming the variable', async () => {
    const { code, err, out } = await run({ PORT: 'abc' }, 'serve')
    expect(code).toBe(1)
    expect(out).toBe('')
    expect(err.trim()).toBe(
      'feedwright serve: config: PORT must be a port number 1–65535, got "abc" (for example PORT=8080)',
    )
  })
})

describe('feedwright config and --version', () => {
  it('prints each value with its source, secrets masked', async () => {
    const token = 'a-secret-admin-token-0123'
    const { code, out } = await run({ FEEDWRIGHT_ADMIN_TOKEN: token, PORT: '8080' }, 'config')
    expect(code).toBe(0)
    const lines = out.trim().split('\n')
    expect(lines).toContainEqual(expect.stringMatching(/^port +8080 +\(environment PORT\)$/))
    expect(lines).toContainEqual(expect.stringMatching(/^feedLimit +20 +\(file\)$/))
    expect(lines).toContainEqual(expect.stringMatching(/^feedPages +5 +\(default\)$/))
    expect(lines).toContainEqual(
      expect.stringMatching(/^adminToken +\*{8} +\(environment FEEDWRIGHT_ADMIN_TOKEN\)$/),
    )
    expect(out).not.toContain(token)
  })

  it('prints the package version', async () => {
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      version: string
    }
    const { code, out } = await run({}, '--version')
    expect(code).toBe(0)
    expect(out.trim()).toBe(`feedwright ${version}`)
  })
})

describe('npm start', () => {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
    scripts: Record<string, string>
    dependencies: Record<string, string>
  }

  it('runs the compiled dist/ with nothing compiled first', () => {
    expect(pkg.scripts.start).toBe('node dist/cli.js serve')
    expect(pkg.scripts.prestart).toBeUndefined()
    expect(pkg.scripts.prepare).toBe('npm run build')
  })

  it('needs only production dependencies: every package src/ imports is one', () => {
    const sources = readdirSync(join(ROOT, 'src'), { recursive: true, encoding: 'utf8' }).filter(
      (f) => f.endsWith('.ts'),
    )
    const imported = new Set<string>()
    for (const file of sources) {
      const text = readFileSync(join(ROOT, 'src', file), 'utf8')
      for (const [, spec] of text.matchAll(/^import [^;]*?from '([^'.][^']*)'/gms)) {
        if (spec!.startsWith('node:')) continue
        imported.add(
          spec!.startsWith('@') ? spec!.split('/').slice(0, 2).join('/') : spec!.split('/')[0]!,
        )
      }
    }
    expect(imported.size).toBeGreaterThan(5)
    for (const name of imported) expect(pkg.dependencies, name).toHaveProperty([name])
  })
})
