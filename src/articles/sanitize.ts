// Makes article text safe for every feed format before it is stored: the renderers trust it.

// XML 1.0 §2.2 Char: #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF].
// Everything else (C0 controls, lone surrogates, U+FFFE/U+FFFF) cannot appear in any XML document.
// DEL and the C1 controls are allowed by XML but discouraged (§2.2 note) and never meant in prose.
const NON_XML_CHARS =
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g

/** Removes characters that XML cannot carry; normalizes line ends and Unicode (NFC). */
export const cleanText = (text: string): string =>
  text.replace(NON_XML_CHARS, '').replace(/\r\n?/g, '\n').normalize('NFC')

/** Plain text on one line: titles, labels, names. */
export const cleanLine = (text: string): string => cleanText(text).replace(/\s+/g, ' ').trim()

/**
 * HTML made safe to embed in CDATA: `]]>` would end the section early (the `feed` package escapes
 * only the first one). `]]&gt;` means the same in HTML text and attribute values.
 */
export const cleanHtml = (html: string, baseUrl: string): string =>
  absolutizeUrls(cleanText(html).replace(/]]>/g, ']]&gt;'), baseUrl)

// href/src/poster values, quoted either way. Feed readers show content away from the article's page,
// so a relative URL there would point into the reader's own site.
const URL_ATTRIBUTE = /(\s(?:href|src|poster)\s*=\s*)(["'])(.*?)\2/gi

/** Resolves relative URLs in HTML attributes against the article's canonical URL. */
export const absolutizeUrls = (html: string, baseUrl: string): string =>
  html.replace(URL_ATTRIBUTE, (whole, prefix: string, quote: string, value: string) => {
    const trimmed = value.trim()
    if (trimmed === '' || trimmed.startsWith('#') || /^[a-z][a-z0-9+.-]*:/i.test(trimmed)) {
      return whole
    }
    try {
      return `${prefix}${quote}${new URL(trimmed, baseUrl).href}${quote}`
    } catch {
      return whole
    }
  })

/** True for absolute http(s) URLs: the only ones a feed reader can follow. */
export const isHttpUrl = (value: string): boolean => {
  try {
    const { protocol } = new URL(value)
    return protocol === 'http:' || protocol === 'https:'
  } catch {
    return false
  }
}
