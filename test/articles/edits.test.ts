import { describe, expect, it } from 'vitest'
import { mergePatch, stampEdit } from '../../src/articles/edits.js'
import { makeArticle } from '../helpers/fixtures.js'

describe('mergePatch (RFC 7396)', () => {
  it('merges objects, removes members set to null and replaces arrays', () => {
    expect(
      mergePatch({ a: 1, b: { c: 2, d: 3 }, e: [1] }, { b: { c: null, x: 1 }, e: [2], a: null }),
    ).toEqual({
      b: { d: 3, x: 1 },
      e: [2],
    })
    expect(mergePatch({ a: 1 }, 'text')).toBe('text')
  })
})

describe('stampEdit', () => {
  const now = new Date('2026-11-25T12:00:00Z')
  const previous = makeArticle()

  it('moves updatedAt to now when content changed and no date was given', () => {
    const next = makeArticle({ title: 'Changed' })
    expect(stampEdit(next, previous, false, now).updatedAt).toBe(now.toISOString())
  })

  it('keeps the previous article when nothing but the date differs', () => {
    expect(stampEdit(makeArticle(), previous, false, now)).toBe(previous)
  })

  it('keeps a date the client gave and leaves new articles alone', () => {
    const next = makeArticle({ title: 'Changed', updatedAt: '2026-11-22T00:00:00Z' })
    expect(stampEdit(next, previous, true, now)).toBe(next)
    expect(stampEdit(next, undefined, false, now)).toBe(next)
  })
})
