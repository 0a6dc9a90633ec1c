// Plain text turned into HTML text for the elements that RSS and Atom treat as HTML.

const HTML_ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' }

/**
 * Atom `type="html"` (RFC 4287 §3.1.1.2) and RSS titles and descriptions are read as HTML, so a
 * plain-text "R&D <beta>" must arrive as "R&amp;D &lt;beta&gt;". Escaping `>` also keeps `]]>` out
 * of the CDATA sections the `feed` package writes.
 */
export const textToHtml = (text: string): string => text.replace(/[&<>]/g, (c) => HTML_ESCAPES[c]!)

/** Text as a double-quoted XML or HTML attribute value. */
export const textToAttr = (text: string): string => textToHtml(text).replace(/"/g, '&quot;')
