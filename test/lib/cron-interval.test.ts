import { describe, expect, it } from 'vitest'
import { cronIntervalSeconds } from '../../src/lib/cron-interval.js'

describe('cronIntervalSeconds', () => {
  it('reads the period of common schedules', () => {
    expect(cronIntervalSeconds('*/5 * * * *')).toBe(300)
    expect(cronIntervalSeconds('0 * * * *')).toBe(3_600)
    expect(cronIntervalSeconds('0 */6 * * *')).toBe(21_600)
    expect(cronIntervalSeconds('* * * * *')).toBe(60)
  })

  it('falls back to an hour for schedules rarer than two days', () => {
    expect(cronIntervalSeconds('0 0 1 1 *')).toBe(3_600)
  })
})
