import { describe, expect, it } from 'vitest'
import { isNotModified, matchesIfNoneMatch } from '../../src/http/conditional.js'

const current = { etag: '"abc"', lastModified: 'Fri, 20 Nov 2026 06:40:00 GMT' }

describe('conditional GET', () => {
  it('matches If-None-Match lists with weak comparison and *', () => {
    expect(matchesIfNoneMatch('"x", "abc"', '"abc"')).toBe(true)
    expect(matchesIfNoneMatch('W/"abc"', '"abc"')).toBe(true)
    expect(matchesIfNoneMatch('*', '"abc"')).toBe(true)
    expect(matchesIfNoneMatch('"abcd"', '"abc"')).toBe(false)
  })

  it('lets If-None-Match win over If-Modified-Since (RFC 9110 §13.2.2)', () => {
    expect(
      isNotModified({ ifNoneMatch: '"old"', ifModifiedSince: current.lastModified }, current),
    ).toBe(false)
    expect(
      isNotModified(
        { ifNoneMatch: '"abc"', ifModifiedSince: 'Thu, 01 Jan 1970 00:00:00 GMT' },
        current,
      ),
    ).toBe(true)
  })

  it('compares If-Modified-Since in whole seconds and ignores invalid dates', () => {
    expect(isNotModified({ ifModifiedSince: current.lastModified }, current)).toBe(true)
    expect(isNotModified({ ifModifiedSince: 'Fri, 20 Nov 2026 06:39:59 GMT' }, current)).toBe(false)
    expect(isNotModified({ ifModifiedSince: 'soon' }, current)).toBe(false)
    expect(isNotModified({}, current)).toBe(false)
  })
})
