// Plain text turned into HTML text for the elements that RSS and Atom treat as HTML, and back.

const HTML_ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' }

/**
 * Atom `type="html"` (RFC 4287 §3.1.1.2) and RSS titles and descriptions are read as HTML, so a
 * plain-text "R&D <beta>" must arrive as "R&amp;D &lt;beta&gt;". Escaping `>` also keeps `]]>` out
 * of the CDATA sections the `feed` package writes.
 */
export const textToHtml = (text: string): string => text.replace(/[&<>]/g, (c) => HTML_ESCAPES[c]!)

/** Text as a double-quoted XML or HTML attribute value. */
export const textToAttr = (text: string): string => textToHtml(text).replace(/"/g, '&quot;')

const NAMED_ENTITIES: Readonly<Record<string, string>> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: ' ',
}

/** The words of an HTML fragment as one line of plain text: tags dropped, entities decoded. */
export const htmlToText = (html: string): string =>
  html
    .replace(/<(script|style)[\s\S]*?<\/\1>/gi, ' ')
    // Block elements separate words; inline ones (<em>, <a>) sit inside them.
    .replace(
      /<\/?(?:p|br|div|li|ul|ol|h[1-6]|tr|td|th|blockquote|figure|figcaption)\b[^>]*>/gi,
      ' ',
    )
    .replace(/<[^>]*>/g, '')
    .replace(/&(#\d+|#x[\da-f]+|amp|lt|gt|quot|apos|nbsp);/gi, (entity: string, code: string) => {
      if (code[0] !== '#') return NAMED_ENTITIES[code.toLowerCase()] ?? entity
      const n =
        code[1] === 'x' || code[1] === 'X'
          ? parseInt(code.slice(2), 16)
          : parseInt(code.slice(1), 10)
      return Number.isFinite(n) && n > 0 && n <= 0x10ffff ? String.fromCodePoint(n) : entity
    })
    .replace(/\s+/g, ' ')
    .trim()

/** At most `max` characters, cut at a word boundary with an ellipsis. */
export const shorten = (value: string, max: number): string =>
  value.length <= max ? value : `${value.slice(0, max - 1).replace(/\s+\S*$/, '')}…`

/** Plain text as HTML paragraphs: blank lines separate them, single newlines become <br>. */
export const textToParagraphs = (text: string): string =>
  `<p>${textToHtml(text.trim())
    .replace(/\n\s*\n+/g, '</p><p>')
    .replace(/\n/g, '<br>')}</p>`
