import { describe, expect, it } from 'vitest'
import { keepTickObjectMaps, keptTickObject } from '../../src/http/tick-objects.js'

describe('keepTickObjectMaps', () => {
  it("holds one of process.nextTick's tick objects (its two symbol keys), the same one each time", () => {
    keepTickObjectMaps()
    const kept = keptTickObject()
    expect(kept).toBeDefined()
    const symbols = Object.getOwnPropertySymbols(kept!).map((s) => s.description)
    expect(symbols).toEqual(['async_id_symbol', 'trigger_async_id_symbol'])
    keepTickObjectMaps()
    expect(keptTickObject()).toBe(kept)
  })

  it('leaves no async hook on: later ticks still run, and are not held', async () => {
    const kept = keptTickObject()
    const ran = await new Promise<boolean>((resolve) => process.nextTick(() => resolve(true)))
    expect(ran).toBe(true)
    expect(keptTickObject()).toBe(kept)
  })
})
