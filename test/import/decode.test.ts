// Decoding a foreign feed by its declared encoding, in the order the XML and HTTP specs give.
import { describe, expect, it } from 'vitest'
import { decodeFeed } from '../../src/import/decode.js'
import { ValidationError } from '../../src/lib/errors.js'

const xml = (encoding: string, body: string) =>
  `<?xml version="1.0" encoding="${encoding}"?><rss version="2.0"><channel><title>${body}</title></channel></rss>`

describe('decodeFeed', () => {
  it('follows a byte order mark over everything else', () => {
    const text = xml('windows-1251', 'Grüße')
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')])
    expect(decodeFeed(utf16, 'iso-8859-2')).toMatchObject({
      encoding: 'utf-16le',
      declaredBy: 'bom',
    })
    expect(decodeFeed(utf16).text).toContain('Grüße')
  })

  it('takes the HTTP charset over the XML declaration, and the declaration over UTF-8', () => {
    const bytes = Buffer.from(xml('utf-8', 'Привет'), 'utf8')
    expect(decodeFeed(bytes).text).toContain('Привет')
    const cp1251 = Buffer.from([0xcf, 0xf0, 0xe8, 0xe2, 0xe5, 0xf2])
    const declared = Buffer.concat([
      Buffer.from(xml('windows-1251', '').split('</title>')[0]!),
      cp1251,
      Buffer.from('</title></channel></rss>'),
    ])
    expect(decodeFeed(declared)).toMatchObject({ encoding: 'windows-1251', declaredBy: 'xml' })
    expect(decodeFeed(declared).text).toContain('Привет')
    expect(decodeFeed(declared, 'koi8-r')).toMatchObject({ encoding: 'koi8-r', declaredBy: 'http' })
  })

  it('reads JSON as UTF-8 whatever the HTTP charset says', () => {
    const json = Buffer.from('{"version":"https://jsonfeed.org/version/1.1","title":"Żółw"}')
    expect(decodeFeed(json, 'windows-1250')).toMatchObject({
      encoding: 'utf-8',
      declaredBy: 'default',
    })
  })

  it('refuses an encoding it cannot decode, naming it', () => {
    expect(() => decodeFeed(Buffer.from(xml('x-klingon', 'a')))).toThrow(
      /the XML declaration declares the encoding "x-klingon"/,
    )
  })

  it('refuses an undecodable byte instead of a silent U+FFFD, naming the item', () => {
    const bytes = Buffer.concat([
      Buffer.from(
        '<rss version="2.0"><channel><title>T</title><item><title>Ünïcode ok</title></item><item><title>Bad ',
      ),
      Buffer.from([0xff, 0xfe, 0xfd]),
      Buffer.from('</title></item></channel></rss>'),
    ])
    try {
      decodeFeed(bytes)
      expect.unreachable()
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError)
      expect((error as Error).message).toMatch(
        /bytes near offset \d+ are not valid utf-8 .* in item 2/,
      )
    }
  })
})
