// `feedwright serve` as `npm start` runs it (dist/), in a child process with its JSON log lines.
import { type ChildProcess, spawn } from 'node:child_process'
import { join, resolve } from 'node:path'
import { FIXTURES_DIR } from './fixtures.js'

const CLI = resolve(import.meta.dirname, '../../dist/cli.js')

export interface LogLine {
  level: string
  msg: string
  [field: string]: unknown
}

/** A running `feedwright serve` with its JSON log lines collected. */
export const serve = (dir: string, env: Record<string, string> = {}) => {
  const lines: LogLine[] = []
  const child: ChildProcess = spawn(process.execPath, [CLI, 'serve'], {
    cwd: dir,
    env: {
      PATH: process.env.PATH,
      PORT: '0',
      HOST: '127.0.0.1',
      SITE_URL: 'https://news.example.org',
      DATA_DIR: join(dir, 'data'),
      FEEDS_DIR: join(dir, 'feeds'),
      FIXTURES_DIR,
      FEEDWRIGHT_CONFIG: join(dir, 'feedwright.config.json'),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let buffered = ''
  child.stdout!.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('utf8')
    const complete = buffered.split('\n')
    buffered = complete.pop()!
    for (const line of complete) if (line) lines.push(JSON.parse(line) as LogLine)
  })
  let stderr = ''
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')))
  const exited = new Promise<{ code: number | null; at: number }>((done) =>
    child.once('exit', (code) => done({ code, at: performance.now() })),
  )
  return { child, lines, exited, stderr: () => stderr }
}

/** The log lines that report a build. */
export const buildLines = (lines: LogLine[]) => lines.filter((l) => typeof l.build === 'number')
