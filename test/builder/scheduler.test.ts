// The scheduler on fake timers: cron ticks, debounce and retries driven without waiting.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { BuildReport } from '../../src/builder/report.js'
import { createScheduler } from '../../src/builder/scheduler.js'

const fakeReport = (id: number, full: boolean) => ({ id, full }) as BuildReport

/** Ids 1, 2, … as a store would hand them out. */
const counter = (start = 0) => {
  let n = start
  return () => Promise.resolve(++n)
}

/** A build function whose runs end only when the test releases them. */
const controlledBuild = () => {
  const calls: Array<{ id: number; full: boolean; release: () => void }> = []
  let running = 0
  let maxRunning = 0
  const build = ({ id, full }: { id: number; full: boolean }) =>
    new Promise<BuildReport>((resolve) => {
      running += 1
      maxRunning = Math.max(maxRunning, running)
      calls.push({
        id,
        full,
        release: () => {
          running -= 1
          resolve(fakeReport(id, full))
        },
      })
    })
  return { build, calls, maxRunning: () => maxRunning }
}

const settle = () => vi.advanceTimersByTimeAsync(10)

beforeEach(() => {
  vi.useFakeTimers()
})

afterEach(() => {
  vi.useRealTimers()
})

describe('scheduler', () => {
  it('coalesces requests made before a build starts, and runs one build at a time', async () => {
    const { build, calls, maxRunning } = controlledBuild()
    const scheduler = createScheduler({
      build,
      nextId: counter(),
      cron: '*/5 * * * *',
      onError: () => {},
    })
    const first = await scheduler.trigger()
    await settle()
    const second = scheduler.trigger()
    const third = scheduler.trigger({ full: true })
    expect(await second).toBe(await third)
    expect(calls).toHaveLength(1)
    calls[0]!.release()
    expect((await first.done).id).toBe(1)
    await settle()
    expect(calls).toHaveLength(2)
    expect(calls[1]).toMatchObject({ id: 2, full: true })
    calls[1]!.release()
    expect((await (await second).done).id).toBe(2)
    expect(maxRunning()).toBe(1)
    await scheduler.stop()
  })

  it('runs the queued build even when the running one fails', async () => {
    const scheduler = createScheduler({
      build: async ({ id, full }) => {
        if (id === 1) throw new Error('first fails')
        return fakeReport(id, full)
      },
      nextId: counter(),
      cron: '*/5 * * * *',
      onError: () => {},
    })
    const first = await scheduler.trigger()
    const second = scheduler.rebuild()
    await expect(first.done).rejects.toThrow('first fails')
    expect((await second).id).toBe(2)
  })

  it('tells which builds are pending, with the ids the store handed out', async () => {
    const { build, calls } = controlledBuild()
    const scheduler = createScheduler({
      build,
      nextId: counter(41),
      cron: '*/5 * * * *',
      onError: () => {},
    })
    const first = await scheduler.trigger()
    await settle()
    const queued = await scheduler.trigger()
    expect([first.id, queued.id]).toEqual([42, 43])
    expect(scheduler.pending()).toEqual([42, 43])
    calls[0]!.release()
    await first.done
    await settle()
    calls[1]!.release()
    await queued.done
    expect(scheduler.pending()).toEqual([])
  })

  it('debounces rebuild requests into one build', async () => {
    let builds = 0
    const scheduler = createScheduler({
      build: async ({ id, full }) => {
        builds += 1
        return fakeReport(id, full)
      },
      nextId: counter(),
      cron: '*/5 * * * *',
      debounceMs: 50,
      onError: () => {},
    })
    for (let i = 0; i < 5; i += 1) scheduler.requestRebuild()
    await vi.advanceTimersByTimeAsync(200)
    expect(builds).toBe(1)
    await scheduler.stop()
  })

  it('builds on the cron schedule once started', async () => {
    // node-cron reads the clock and waits with setTimeout, so fake timers drive its ticks too.
    vi.setSystemTime(new Date('2026-11-29T12:00:00.500Z'))
    let builds = 0
    const scheduler = createScheduler({
      build: async ({ id, full }) => fakeReport(id, (builds += 1) > 0 && full),
      nextId: counter(),
      cron: '* * * * * *',
      onError: () => {},
    })
    scheduler.start()
    await vi.advanceTimersByTimeAsync(2_300)
    await scheduler.stop()
    expect(builds).toBeGreaterThanOrEqual(1)
    const atStop = builds
    await vi.advanceTimersByTimeAsync(5_000)
    expect(builds).toBe(atStop)
  })
})

describe('scheduler: failures', () => {
  /** nextId that rejects while `down` says so, like a store whose disk is full. */
  const flakyIds = () => {
    let n = 0
    const state = { down: true, calls: 0 }
    const nextId = () => {
      state.calls += 1
      return state.down
        ? Promise.reject(new Error('store/sqlite: nextBuildId failed (SQLITE_FULL)'))
        : Promise.resolve(++n)
    }
    return { nextId, state }
  }

  it('asks the store again after a failed build id instead of reusing the failed request', async () => {
    const { nextId, state } = flakyIds()
    const errors: unknown[] = []
    const scheduler = createScheduler({
      build: async ({ id, full }) => fakeReport(id, full),
      nextId,
      cron: '*/5 * * * *',
      onError: (error) => errors.push(error),
    })
    await expect(scheduler.rebuild()).rejects.toThrow('SQLITE_FULL')
    state.down = false
    const report = await scheduler.rebuild()
    expect(report.id).toBe(1)
    expect(state.calls).toBe(2)
    expect(errors).toHaveLength(1)
    await scheduler.stop()
  })

  it('retries a failed build with backoff until the store answers, without another trigger', async () => {
    vi.setSystemTime(new Date('2026-11-29T12:00:00Z'))
    const { nextId, state } = flakyIds()
    const built: number[] = []
    const scheduler = createScheduler({
      build: async ({ id, full }) => {
        built.push(id)
        return fakeReport(id, full)
      },
      nextId,
      cron: '*/5 * * * *',
      retryBaseMs: 1_000,
      retryMaxMs: 4_000,
      onError: () => {},
    })
    await expect(scheduler.rebuild()).rejects.toThrow('SQLITE_FULL')
    expect(scheduler.status()).toMatchObject({
      consecutiveFailures: 1,
      lastError: { message: expect.stringContaining('SQLITE_FULL') },
      retryAt: '2026-11-29T12:00:01.000Z',
    })
    await vi.advanceTimersByTimeAsync(1_000) // second failure; next wait 2 s
    expect(state.calls).toBe(2)
    expect(scheduler.status().retryAt).toBe('2026-11-29T12:00:03.000Z')
    await vi.advanceTimersByTimeAsync(2_000) // third; next wait 4 s (the cap)
    await vi.advanceTimersByTimeAsync(4_000) // fourth; the cap again
    expect(state.calls).toBe(4)
    expect(scheduler.status()).toMatchObject({
      consecutiveFailures: 4,
      retryAt: '2026-11-29T12:00:11.000Z',
    })
    expect(built).toEqual([])
    state.down = false
    await vi.advanceTimersByTimeAsync(4_000)
    expect(built).toEqual([1])
    const status = scheduler.status()
    expect(status.consecutiveFailures).toBe(0)
    expect(status.retryAt).toBeUndefined()
    expect(status.lastSuccessAt).toBe('2026-11-29T12:00:11.000Z')
    // The last failure stays visible for whoever looks later.
    expect(status.lastError?.message).toContain('SQLITE_FULL')
    await vi.advanceTimersByTimeAsync(60_000)
    expect(state.calls).toBe(5) // no retry once a build succeeded
    await scheduler.stop()
  })

  it('keeps a failed build findable by its id and retries it as full when it was full', async () => {
    let fail = true
    const builds: Array<{ id: number; full: boolean }> = []
    const scheduler = createScheduler({
      build: async ({ id, full }) => {
        builds.push({ id, full })
        if (fail) throw new Error('publish/shelf: ENOSPC: no space left on device')
        return fakeReport(id, full)
      },
      nextId: counter(),
      cron: '*/5 * * * *',
      retryBaseMs: 500,
      onError: () => {},
    })
    const ticket = await scheduler.trigger({ full: true })
    await expect(ticket.done).rejects.toThrow('ENOSPC')
    expect(scheduler.pending()).toEqual([])
    expect(scheduler.failure(ticket.id)).toMatchObject({ id: 1, message: expect.any(String) })
    expect(scheduler.status().lastError).toMatchObject({ id: 1 })
    fail = false
    await vi.advanceTimersByTimeAsync(500)
    expect(builds).toEqual([
      { id: 1, full: true },
      { id: 2, full: true },
    ])
    expect(scheduler.failure(2)).toBeUndefined()
    await scheduler.stop()
  })

  it('stops retrying once stopped', async () => {
    const { nextId, state } = flakyIds()
    const scheduler = createScheduler({
      build: async ({ id, full }) => fakeReport(id, full),
      nextId,
      cron: '*/5 * * * *',
      retryBaseMs: 100,
      onError: () => {},
    })
    await expect(scheduler.rebuild()).rejects.toThrow()
    await scheduler.stop()
    await vi.advanceTimersByTimeAsync(10_000)
    expect(state.calls).toBe(1)
  })
})
