// The timer that wakes the builder for the next scheduled article, on fake timers.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createDueTimer } from '../../src/builder/due-timer.js'

beforeEach(() => {
  vi.useFakeTimers({ now: new Date('2026-11-29T12:00:00Z') })
})

afterEach(() => {
  vi.useRealTimers()
})

describe('due timer', () => {
  it('fires once at the next due time, not before', async () => {
    const due = new Date(Date.now() + 300).toISOString()
    const fired: number[] = []
    const timer = createDueTimer({
      nextDue: async () => due,
      onDue: () => fired.push(Date.now()),
      onError: (error) => {
        throw error
      },
    })
    timer.arm()
    await vi.advanceTimersByTimeAsync(150)
    expect(fired).toEqual([])
    await vi.advanceTimersByTimeAsync(2_000)
    expect(fired).toHaveLength(1)
    expect(fired[0]!).toBeGreaterThanOrEqual(Date.parse(due))
    timer.stop()
  })

  it('re-arming replaces the timer; nothing scheduled or stopped: it never fires', async () => {
    let next: string | undefined = new Date(Date.now() + 100).toISOString()
    let fired = 0
    const timer = createDueTimer({
      nextDue: async () => next,
      onDue: () => (fired += 1),
      onError: () => undefined,
    })
    timer.arm()
    next = undefined
    timer.arm()
    await vi.advanceTimersByTimeAsync(300)
    expect(fired).toBe(0)
    next = new Date(Date.now() + 50).toISOString()
    timer.arm()
    timer.stop()
    await vi.advanceTimersByTimeAsync(200)
    expect(fired).toBe(0)
  })

  it('reports a store that cannot say when', async () => {
    const errors: unknown[] = []
    const timer = createDueTimer({
      nextDue: () => Promise.reject(new Error('store down')),
      onDue: () => undefined,
      onError: (error) => errors.push(error),
    })
    timer.arm()
    await vi.advanceTimersByTimeAsync(0)
    expect(errors).toHaveLength(1)
    timer.stop()
  })
})
