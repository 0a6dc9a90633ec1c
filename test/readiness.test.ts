// What /readyz checks, on its own: each reason the service is not serving what it should.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createReadiness } from '../src/readiness.js'
import { tempDir } from './helpers/fixtures.js'

describe('createReadiness', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>
  beforeAll(async () => {
    dir = await tempDir()
  })
  afterAll(() => dir.cleanup())
  const started = new Date('2026-11-29T12:00:00Z')
  const check = (overrides: Partial<Parameters<typeof createReadiness>[0]>) =>
    createReadiness({
      published: () => 10,
      status: () => ({}),
      feedsDir: dir.path,
      pingStore: () => Promise.resolve(1),
      periodSeconds: 300,
      periods: 3,
      startedAt: started,
      now: () => started,
      ...overrides,
    })()

  it('reports nothing published yet', async () => {
    expect(await check({ published: () => 0 })).toEqual([
      { reason: 'nothing-published', detail: 'no feed has been published yet' },
    ])
  })

  it('reports a first build still running while what it published so far is served', async () => {
    expect(await check({ status: () => ({ firstBuildPending: true }) })).toEqual([
      {
        reason: 'first-build-running',
        detail: 'the first build since start-up is running: 10 outputs published so far',
      },
    ])
    expect(
      await check({ published: () => 0, status: () => ({ firstBuildPending: true }) }),
    ).toEqual([{ reason: 'nothing-published', detail: 'no feed has been published yet' }])
  })

  it('reports serving what the last run left in feeds/ until a build replaced it', async () => {
    expect(await check({ restored: () => 12 })).toEqual([
      {
        reason: 'serving-restored',
        detail: `serving 12 outputs the last run left in ${dir.path} until a build succeeds`,
      },
    ])
    expect(await check({ restored: () => 0 })).toEqual([])
  })

  it('reports a last successful build older than N build periods, and not before', async () => {
    const lastSuccessAt = new Date('2026-11-29T12:00:00Z')
    const at = (iso: string) => () => new Date(iso)
    expect(
      await check({ status: () => ({ lastSuccessAt }), now: at('2026-11-29T12:15:00Z') }),
    ).toEqual([])
    expect(
      await check({ status: () => ({ lastSuccessAt }), now: at('2026-11-29T12:15:01Z') }),
    ).toEqual([
      {
        reason: 'build-stale',
        detail:
          'the last successful build ended 2026-11-29T12:00:00.000Z, more than 3 build periods (300 s each) ago',
      },
    ])
  })

  it('reports a build that threw since the last one that ended', async () => {
    const lastError = {
      at: new Date('2026-11-29T12:01:00Z'),
      message: 'store/sqlite: disk I/O error',
    }
    expect(await check({ status: () => ({ lastError }) })).toEqual([
      {
        reason: 'build-failed',
        detail: 'the last build failed at 2026-11-29T12:01:00.000Z: store/sqlite: disk I/O error',
      },
    ])
  })

  it('reports a store that hangs once its time is up', async () => {
    const reasons = await check({ pingStore: () => new Promise(() => {}), storeTimeoutMs: 50 })
    expect(reasons).toEqual([
      {
        reason: 'store-not-answering',
        detail: 'the store does not answer: no answer within 50 ms',
      },
    ])
  })
})
