import { describe, expect, it } from 'vitest'
import { strongEtag } from '../../src/lib/hash.js'
import { makeOutput, nextLastModified, outputHead } from '../../src/publish/outputs.js'

const at = (iso: string) => new Date(iso)
const now = at('2026-11-25T12:00:00.500Z')

describe('nextLastModified', () => {
  it("takes the content's date, in whole seconds", () => {
    expect(nextLastModified(at('2026-11-20T06:40:00.900Z'), undefined, now)).toEqual(
      at('2026-11-20T06:40:00Z'),
    )
  })

  it('is never in the future', () => {
    expect(nextLastModified(at('2027-01-01T00:00:00Z'), undefined, now)).toEqual(
      at('2026-11-25T12:00:00Z'),
    )
  })

  it('moves forward when changed bytes carry an older date, and never backwards', () => {
    const previous = at('2026-11-24T00:00:00Z')
    expect(nextLastModified(at('2026-11-23T00:00:00Z'), previous, now)).toEqual(
      at('2026-11-25T12:00:00Z'),
    )
    expect(nextLastModified(at('2026-11-24T18:00:00Z'), previous, now)).toEqual(
      at('2026-11-24T18:00:00Z'),
    )
    expect(nextLastModified(at('2026-11-23T00:00:00Z'), at('2026-11-25T12:00:00Z'), now)).toEqual(
      at('2026-11-25T12:00:00Z'),
    )
  })
})

describe('outputHead', () => {
  it('gives the ETag of the bytes makeOutput makes, in any script and with lone surrogates', () => {
    for (const text of [
      '<rss/>',
      '<title>李明, Иван Петров, محمد</title>',
      'x\uD800y',
      '😀\uDFFF',
    ]) {
      const fields = {
        urlPath: '/feeds/rss.xml',
        feedKey: 'site',
        format: 'rss' as const,
        text,
        updated: at('2026-11-20T06:40:00.900Z'),
      }
      const output = makeOutput(fields)
      expect(outputHead(fields)).toEqual({
        ...output,
        body: undefined,
        etag: strongEtag(output.body),
      })
    }
  })
})
