import { describe, expect, it } from 'vitest'
import type { BuildReport } from '../../src/build/report.js'
import { createScheduler } from '../../src/build/scheduler.js'

const fakeReport = (id: number, full: boolean) => ({ id, full }) as BuildReport

/** A build function whose runs end only when the test releases them. */
const controlledBuild = () => {
  const calls: Array<{ full: boolean; release: () => void }> = []
  let running = 0
  let maxRunning = 0
  const build = ({ full }: { full: boolean }) =>
    new Promise<BuildReport>((resolve) => {
      running += 1
      maxRunning = Math.max(maxRunning, running)
      const id = calls.length + 1
      calls.push({
        full,
        release: () => {
          running -= 1
          resolve(fakeReport(id, full))
        },
      })
    })
  return { build, calls, maxRunning: () => maxRunning }
}

const tick = () => new Promise((resolve) => setImmediate(resolve))

describe('scheduler', () => {
  it('coalesces requests made during a build into one following build', async () => {
    const { build, calls, maxRunning } = controlledBuild()
    const scheduler = createScheduler({ build, cron: '*/5 * * * *', onError: () => {} })
    const first = scheduler.rebuild()
    const second = scheduler.rebuild()
    const third = scheduler.rebuild({ full: true })
    expect(calls).toHaveLength(1)
    calls[0]!.release()
    expect((await first).id).toBe(1)
    await tick()
    expect(calls).toHaveLength(2)
    expect(calls[1]!.full).toBe(true)
    calls[1]!.release()
    expect(await second).toBe(await third)
    expect(maxRunning()).toBe(1)
    await scheduler.stop()
  })

  it('runs the queued build even when the running one fails', async () => {
    let n = 0
    const scheduler = createScheduler({
      build: async ({ full }) => {
        n += 1
        if (n === 1) throw new Error('first fails')
        return fakeReport(n, full)
      },
      cron: '*/5 * * * *',
      onError: () => {},
    })
    const first = scheduler.rebuild()
    const second = scheduler.rebuild()
    await expect(first).rejects.toThrow('first fails')
    expect((await second).id).toBe(2)
  })

  it('builds on the cron schedule once started', async () => {
    let builds = 0
    const scheduler = createScheduler({
      build: async ({ full }) => fakeReport(++builds, full),
      cron: '* * * * * *',
      onError: () => {},
    })
    scheduler.start()
    await new Promise((resolve) => setTimeout(resolve, 2_300))
    await scheduler.stop()
    expect(builds).toBeGreaterThanOrEqual(1)
  })

  it('numbers builds on from the last stored id and tells which are pending', async () => {
    const { build, calls } = controlledBuild()
    const scheduler = createScheduler({ build, cron: '*/5 * * * *', lastId: 41, onError: () => {} })
    const first = scheduler.trigger()
    const queued = scheduler.trigger()
    expect([first.id, queued.id]).toEqual([42, 43])
    expect(scheduler.pending()).toEqual([42, 43])
    calls[0]!.release()
    await first.done
    await tick()
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
      cron: '*/5 * * * *',
      debounceMs: 50,
      onError: () => {},
    })
    for (let i = 0; i < 5; i += 1) scheduler.requestRebuild()
    await new Promise((resolve) => setTimeout(resolve, 200))
    expect(builds).toBe(1)
    await scheduler.stop()
  })
})
