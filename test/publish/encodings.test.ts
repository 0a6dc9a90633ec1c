// Accept-Encoding negotiation: which of the forms made at publish time a request gets.
import { describe, expect, it } from 'vitest'
import { negotiateEncoding } from '../../src/publish/encodings.js'

describe('encoding negotiation', () => {
  it('honours q-values and refusals in Accept-Encoding', () => {
    expect(negotiateEncoding(undefined)).toBe('identity')
    expect(negotiateEncoding('gzip, deflate, br')).toBe('br')
    expect(negotiateEncoding('br;q=0.5, gzip;q=0.8')).toBe('gzip')
    expect(negotiateEncoding('br;q=0, gzip')).toBe('gzip')
    expect(negotiateEncoding('gzip;q=0.5')).toBe('gzip')
    expect(negotiateEncoding('identity, gzip;q=0.5')).toBe('identity')
    expect(negotiateEncoding('*')).toBe('br')
    expect(negotiateEncoding('deflate')).toBe('identity')
    expect(negotiateEncoding('identity;q=0, *;q=0')).toBe('identity')
  })

  it('answers a header seen before as the first time, even after many other headers', () => {
    // Each choice is remembered per header value, and the memory is bounded: the answers stay.
    expect(negotiateEncoding('gzip;q=0.5, br;q=0.4')).toBe('gzip')
    for (let i = 0; i < 1_000; i += 1) {
      expect(negotiateEncoding(`br;q=0.${i % 2 === 0 ? 9 : 1}, x-${i}`)).toBe('br')
      expect(negotiateEncoding(`br;q=0, x-${i}`)).toBe('identity')
    }
    expect(negotiateEncoding('gzip;q=0.5, br;q=0.4')).toBe('gzip')
    expect(negotiateEncoding('gzip, deflate, br')).toBe('br')
    expect(negotiateEncoding('')).toBe('identity')
  })
})
