import { describe, expect, it } from 'vitest'
import type { BuildReport } from '../../src/build/report.js'
import { createScheduler } from '../../src/build/scheduler.js'

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

const settle = () => new Promise((resolve) => setTimeout(resolve, 10))

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
    await new Promise((resolve) => setTimeout(resolve, 200))
    expect(builds).toBe(1)
    await scheduler.stop()
  })

  it('builds on the cron schedule once started', async () => {
    let builds = 0
    const scheduler = createScheduler({
      build: async ({ id, full }) => fakeReport(id, (builds += 1) > 0 && full),
      nextId: counter(),
      cron: '* * * * * *',
      onError: () => {},
    })
    scheduler.start()
    await new Promise((resolve) => setTimeout(resolve, 2_300))
    await scheduler.stop()
    expect(builds).toBeGreaterThanOrEqual(1)
  })
})
