// Makes article text safe for every feed format before it is stored: the renderers trust it.
import sanitizeHtml from 'sanitize-html'

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

// Iframes are the embeds a news article uses (video, audio, maps); only these players, over
// https. Anything else a reader would load from a third party is dropped with its iframe.
export const IFRAME_HOSTS: readonly string[] = [
  'www.youtube-nocookie.com',
  'www.youtube.com',
  'player.vimeo.com',
  'w.soundcloud.com',
  'open.spotify.com',
]

const MEDIA_ATTRIBUTES = ['src', 'controls', 'preload', 'loop', 'muted', 'width', 'height']

/**
 * The allow-list: what a news article needs (sections, figures, images, media, links, tables,
 * quotes, code) and nothing that runs, styles the reader's page, or submits anything. Text inside
 * script, style and the like is dropped with them; other unknown tags keep their text.
 */
const ARTICLE_HTML: sanitizeHtml.IOptions = {
  allowedTags: [
    ...sanitizeHtml.defaults.allowedTags,
    ...['img', 'picture', 'source', 'video', 'audio', 'track', 'iframe', 'del', 'ins'],
    ...['details', 'summary'],
  ],
  allowedAttributes: {
    '*': ['lang', 'dir', 'title'],
    a: ['href', 'hreflang', 'rel'],
    img: ['src', 'srcset', 'sizes', 'alt', 'width', 'height', 'loading'],
    source: ['src', 'srcset', 'sizes', 'type', 'media'],
    video: [...MEDIA_ATTRIBUTES, 'poster', 'playsinline'],
    audio: MEDIA_ATTRIBUTES,
    track: ['src', 'kind', 'srclang', 'label', 'default'],
    iframe: ['src', 'width', 'height', 'allow', 'allowfullscreen', 'loading', 'referrerpolicy'],
    td: ['colspan', 'rowspan', 'headers'],
    th: ['colspan', 'rowspan', 'headers', 'scope', 'abbr'],
    col: ['span'],
    colgroup: ['span'],
    ol: ['start', 'reversed', 'type'],
    li: ['value'],
    blockquote: ['cite'],
    q: ['cite'],
    del: ['cite', 'datetime'],
    ins: ['cite', 'datetime'],
    time: ['datetime'],
    data: ['value'],
  },
  // No javascript:, vbscript: or data: anywhere; media only over the web.
  allowedSchemes: ['http', 'https', 'mailto', 'tel'],
  allowedSchemesByTag: {
    img: ['http', 'https'],
    source: ['http', 'https'],
    video: ['http', 'https'],
    audio: ['http', 'https'],
    track: ['http', 'https'],
    iframe: ['https'],
  },
  allowedIframeHostnames: [...IFRAME_HOSTS],
  allowIframeRelativeUrls: false,
  // An iframe or image whose src was refused would be an empty box: drop it entirely.
  exclusiveFilter: (frame) => (frame.tag === 'iframe' || frame.tag === 'img') && !frame.attribs.src,
}

/**
 * Article HTML reduced to the allow-list: no script, no event handlers, no javascript: links, no
 * iframes but from IFRAME_HOSTS, no DOCTYPE or other declarations (one made a widely used parser
 * crash). Idempotent: clean HTML comes back unchanged.
 */
export const sanitizeArticleHtml = (html: string): string => sanitizeHtml(html, ARTICLE_HTML)

/**
 * HTML made safe to syndicate and to embed in CDATA: sanitised, relative URLs resolved, and no
 * `]]>` (it would end the section early; the `feed` package escapes only the first one; `]]&gt;`
 * means the same in HTML text and attribute values).
 */
export const cleanHtml = (html: string, baseUrl: string): string =>
  // Character references decoded by the sanitiser can name characters XML cannot carry (&#1;).
  cleanText(absolutizeUrls(sanitizeArticleHtml(html), baseUrl)).replace(/]]>/g, ']]&gt;')

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
