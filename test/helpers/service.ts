// Starts the real service for one test file: port 0, its own temporary directory, stopped afterwards.
import { afterAll, beforeAll, expect } from 'vitest'
import { type Logger, type Service, startService } from '../../src/service.js'
import { tempDir, testConfig } from './fixtures.js'
import { type PublishedLog, recordPublished, validatePublished } from './validators.js'

export const QUIET: Logger = { info: () => {}, error: () => {} }

/** A logger that keeps each error, with its cause's message, as a line in `lines`; info is dropped. */
export const errorsInto = (lines: string[]): Logger => ({
  info: () => {},
  error: (message, error) =>
    lines.push(`${message} ${error instanceof Error ? error.message : (error ?? '')}`),
})

/**
 * Registers beforeAll/afterAll hooks that run a service with these environment variables and
 * config-file keys; returns a getter for it (valid inside tests). Everything in Atom or JSON Feed
 * it publishes is validated against the formats' grammars when it stops.
 */
export const useService = (
  env: Record<string, string> = {},
  file: Record<string, unknown> = {},
): (() => Service) => {
  let dir: Awaited<ReturnType<typeof tempDir>> | undefined
  let service: Service | undefined
  let published: PublishedLog | undefined
  beforeAll(async () => {
    dir = await tempDir()
    service = await startService(testConfig(dir.path, env, file), QUIET)
    published = await recordPublished(service)
  })
  afterAll(async () => {
    await service?.close()
    await dir?.cleanup()
    // Every Atom document and JSON Feed the service published, in every state the tests made,
    // is valid against RFC 4287's grammar and the JSON Feed 1.1 schema.
    if (!published) return
    const { errors, atom, json } = await validatePublished(published)
    expect(errors).toEqual([])
    console.info(
      `grammar-valid: ${atom} Atom and ${json} JSON Feed documents this service published`,
    )
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
