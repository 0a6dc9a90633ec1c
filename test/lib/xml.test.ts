import { describe, expect, it } from 'vitest'
import { checkDocument } from '../../src/feeds/check/index.js'
import { parseXml } from '../../src/lib/xml.js'
import { hasInternalSubset } from '../../src/lib/xml-tree.js'

const rss = (prolog: string, content: string) =>
  `${prolog}<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" ` +
  'xmlns:atom="http://www.w3.org/2005/Atom"><channel>' +
  '<title>T</title><link>https://example.org/</link><description>D</description>' +
  '<atom:link rel="self" href="https://example.org/rss.xml" type="application/rss+xml"/>' +
  '<item><title>I</title><guid>https://example.org/1</guid>' +
  `<content:encoded><![CDATA[${content}]]></content:encoded></item></channel></rss>`

describe('XML parsing: DTDs, not text', () => {
  it('reads <!ENTITY and <!DOCTYPE inside CDATA as the text they are', () => {
    const body = rss('<?xml version="1.0"?>', '<p><!ENTITY x "y"> and <!DOCTYPE html></p>')
    expect(hasInternalSubset(body)).toBe(false)
    expect(checkDocument(body).problems).toEqual([])
    const parsed = parseXml(body, [])
    expect(JSON.stringify(parsed)).toContain('<!ENTITY x \\"y\\">')
  })

  it('refuses a DTD internal subset in the prolog, after comments and PIs too', () => {
    for (const prolog of [
      '<!DOCTYPE rss [<!ENTITY a "aaaa">]>',
      '<?xml version="1.0"?>\n<!-- a comment -->\n<?pi x?>\n<!DOCTYPE rss [<!ENTITY a "aaaa">]>',
      '\uFEFF<!doctype rss SYSTEM "x.dtd" [<!ATTLIST item x CDATA "1">]>',
    ]) {
      expect(hasInternalSubset(rss(prolog, 'x'))).toBe(true)
      expect(checkDocument(rss(prolog, 'x')).problems).toEqual([
        expect.objectContaining({ rule: 'well-formed', message: expect.stringContaining('DTD') }),
      ])
    }
  })

  it('accepts a DOCTYPE naming an external DTD, which is never fetched', () => {
    const prolog =
      '<?xml version="1.0"?><!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" ' +
      '"http://my.netscape.com/publish/formats/rss-0.91.dtd">'
    expect(hasInternalSubset(rss(prolog, 'x'))).toBe(false)
    expect(checkDocument(rss(prolog, 'x')).problems).toEqual([])
  })
})
