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
