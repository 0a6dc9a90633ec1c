// `feedwright serve` in a child process for a bench: on `dir` (its data/ and feeds/), port 0, an
// admin token; resolves with its address once it logs that it serves.
import { type ChildProcess, spawn } from 'node:child_process'
import { join } from 'node:path'

export interface ServiceOptions {
  /** The dist/cli.js to run. */
  cli: string
  dir: string
  adminToken: string
  /** Node options before the script. */
  nodeOptions?: readonly string[]
  env?: Record<string, string>
}

export const startServe = async (
  options: ServiceOptions,
): Promise<{ child: ChildProcess; url: string }> => {
  const { cli, dir } = options
  const child = spawn(process.execPath, [...(options.nodeOptions ?? []), cli, 'serve'], {
    cwd: dir,
    env: {
      PATH: process.env.PATH,
      PORT: '0',
      HOST: '127.0.0.1',
      DATA_DIR: join(dir, 'data'),
      FEEDS_DIR: join(dir, 'feeds'),
      FEEDWRIGHT_ADMIN_TOKEN: options.adminToken,
      LOG_LEVEL: 'info',
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  const url = await new Promise<string>((done, fail) => {
    let seen = ''
    child.stdout!.on('data', (chunk: Buffer) => {
      seen += chunk.toString('utf8')
      const found = /"url":"(http:[^"]+)"/.exec(seen)
      if (found) done(found[1]!)
    })
    child.once('exit', (code) => fail(new Error(`the service exited ${code} before serving`)))
  })
  child.stdout!.resume()
  return { child, url }
}
