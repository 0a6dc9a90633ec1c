// Directories the service writes to (DATA_DIR, FEEDS_DIR): made at start-up, probed for readiness.
import { mkdir, rm, stat, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { ConfigError } from './errors.js'

const PROBE = '.feedwright-write-probe'

/**
 * Creates the missing directories from the nearest existing ancestor down, one level at a time:
 * Node's `mkdir({ recursive: true })` never returns for a path under /proc (it retries ENOENT).
 */
const makeDirectories = async (path: string): Promise<void> => {
  const missing: string[] = []
  let current = path
  for (;;) {
    try {
      const found = await stat(current)
      if (!found.isDirectory())
        throw Object.assign(new Error('not a directory'), { code: 'ENOTDIR' })
      break
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
      missing.unshift(current)
      const parent = dirname(current)
      if (parent === current) break
      current = parent
    }
  }
  for (const dir of missing)
    await mkdir(dir).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'EEXIST') throw error
    })
}

/** Whether a file can be written in `path` now (a write, not permission bits: root ignores them). */
export const probeWritable = async (path: string): Promise<string | undefined> => {
  const probe = join(path, PROBE)
  try {
    await writeFile(probe, '')
    await rm(probe, { force: true })
    return undefined
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException
    return code ?? message
  }
}

/**
 * Makes `path` if needed and checks that it can be written; otherwise a ConfigError naming the
 * variable that set it and why (`FEEDS_DIR=/proc/fw cannot be used: ENOENT …`).
 */
export const prepareDirectory = async (path: string, variable: string): Promise<void> => {
  try {
    await makeDirectories(path)
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException
    throw new ConfigError(
      `${variable}=${path} cannot be used: cannot create it (${code ?? message}); ` +
        `point ${variable} at a writable directory`,
    )
  }
  const problem = await probeWritable(path)
  if (problem)
    throw new ConfigError(
      `${variable}=${path} cannot be used: cannot write in it (${problem}); ` +
        `point ${variable} at a writable directory`,
    )
}
