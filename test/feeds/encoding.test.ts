// A foreign feed's bytes read as the encoding it declares (used by `feedwright validate`).
import { describe, expect, it } from 'vitest'
import { decodeFeed } from '../../src/feeds/check/encoding.js'

const rss = (encoding: string, title: string) =>
  `<?xml version="1.0" encoding="${encoding}"?><rss version="2.0"><channel><title>${title}</title></channel></rss>`

describe('declared encodings', () => {
  it('decodes by the XML declaration', () => {
    const decoded = decodeFeed(Buffer.from(rss('windows-1252', 'Caf\u00e9 \u20ac'), 'latin1'))
    expect(decoded.errors).toEqual([])
    expect(decoded.text).toContain('<title>Café ')
  })

  it('follows a byte order mark (UTF-16)', () => {
    const body = Buffer.concat([
      Buffer.from([0xff, 0xfe]),
      Buffer.from(rss('UTF-16', 'Ελληνικά'), 'utf16le'),
    ])
    const decoded = decodeFeed(body)
    expect(decoded.errors).toEqual([])
    expect(decoded.text).toContain('<title>Ελληνικά</title>')
  })

  it('warns when the HTTP charset and the declaration disagree, and follows HTTP', () => {
    const decoded = decodeFeed(Buffer.from(rss('iso-8859-1', 'Café')), 'utf-8')
    expect(decoded.errors).toEqual([])
    expect(decoded.warnings.map((w) => w.message)).toEqual([
      'served as charset=utf-8 but declares encoding="iso-8859-1"; readers follow the HTTP charset (RFC 7303 §3.2)',
    ])
    expect(decoded.text).toContain('Café')
  })

  it('fails bytes that are not the declared encoding, and JSON that is not UTF-8', () => {
    const latin1Bytes = Buffer.from(rss('utf-8', 'Caf\u00e9'), 'latin1')
    expect(decodeFeed(latin1Bytes).errors.map((e) => e.message)).toEqual([
      'the bytes are not valid utf-8 (as declared)',
    ])
    const json = Buffer.from(
      '{"version":"https://jsonfeed.org/version/1.1","title":"Caf\u00e9"}',
      'latin1',
    )
    expect(decodeFeed(json).errors.map((e) => e.rule)).toEqual(['encoding'])
    expect(decodeFeed(Buffer.from('{"title":"x"}'), 'iso-8859-1').errors[0]?.message).toBe(
      'JSON must be UTF-8, but is served as iso-8859-1',
    )
  })
})
