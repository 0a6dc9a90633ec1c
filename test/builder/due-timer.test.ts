// The timer that wakes the builder for the next scheduled article.
import { describe, expect, it } from 'vitest'
import { createDueTimer } from '../../src/builder/due-timer.js'
import { until } from '../helpers/service.js'

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
    await new Promise((resolve) => setTimeout(resolve, 150))
    expect(fired).toEqual([])
    await until('the timer fires', () => fired.length === 1, 2_000)
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
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect(fired).toBe(0)
    next = new Date(Date.now() + 50).toISOString()
    timer.arm()
    timer.stop()
    await new Promise((resolve) => setTimeout(resolve, 200))
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
    await until('the error is reported', () => errors.length === 1, 1_000)
    timer.stop()
  })
})
