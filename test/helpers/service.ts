// Starts the real service for one test file: port 0, its own temporary directory, stopped afterwards.
import { afterAll, beforeAll } from 'vitest'
import { type Logger, type Service, startService } from '../../src/service.js'
import { tempDir, testConfig } from './fixtures.js'

export const QUIET: Logger = { info: () => {}, error: () => {} }

/**
 * Registers beforeAll/afterAll hooks that run a service with these environment variables and
 * config-file keys; returns a getter for it (valid inside tests).
 */
export const useService = (
  env: Record<string, string> = {},
  file: Record<string, unknown> = {},
): (() => Service) => {
  let dir: Awaited<ReturnType<typeof tempDir>> | undefined
  let service: Service | undefined
  beforeAll(async () => {
    dir = await tempDir()
    service = await startService(testConfig(dir.path, env, file), QUIET)
  })
  afterAll(async () => {
    await service?.close()
    await dir?.cleanup()
  })
  return () => {
    if (!service) throw new Error('useService: the service is only running inside tests')
    return service
  }
}

/**
 * Polls `check` until it holds (a throw counts as not yet: servers may still be starting); fails
 * naming `what`, and the last error, after `ms`.
 */
export const until = async (
  what: string,
  check: () => boolean | Promise<boolean>,
  ms = 10_000,
): Promise<void> => {
  const end = Date.now() + ms
  let last: unknown
  for (;;) {
    try {
      if (await check()) return
    } catch (error) {
      last = error
    }
    if (Date.now() > end) {
      throw new Error(`not within ${ms} ms: ${what}${last ? ` (last error: ${String(last)})` : ''}`)
    }
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
}
