// What the HTML sanitiser removed from an imported item's content, by kind (a <script>, an on*
// attribute, a javascript: URL, a class…), so that the import reports it as a loss like any other
// instead of dropping it silently.
import sanitizeHtml from 'sanitize-html'
import { absolutizeUrls, cleanText, sanitizeArticleHtml } from '../articles/sanitize.js'

interface Tag {
  name: string
  attribs: Readonly<Record<string, string>>
}

// sanitize-html's own default: elements whose text goes with them.
const TEXT_DROPPED = new Set(['script', 'style', 'textarea', 'option', 'xmp'])
// Attributes that hold a URL, where a refused scheme (javascript:, data:…) removes the attribute.
const URL_ATTRIBUTES = new Set(['href', 'src', 'srcset', 'poster', 'cite', 'action', 'formaction'])
// Declarations in HTML text (<!DOCTYPE …>, <!ENTITY …>): the sanitiser drops them.
const DECLARATION = /<!(?!--)[a-z]/i

/** Every start tag with its attributes, read by the sanitiser's own parser (allowing everything). */
const tagsOf = (html: string): Tag[] => {
  const tags: Tag[] = []
  sanitizeHtml(html, {
    allowedTags: false,
    allowedAttributes: false,
    // Nothing this pass writes is used: only the tags it reads.
    allowVulnerableTags: true,
    onOpenTag: (name, attribs) => tags.push({ name, attribs: { ...attribs } }),
  })
  return tags
}

const elementKind = ({ name }: Tag): string => {
  if (name === 'iframe') return '<iframe> that is not an allowed player over https'
  if (name === 'img') return '<img> whose src is not an http(s) URL'
  return TEXT_DROPPED.has(name) ? `<${name}> element and its text` : `<${name}> element (text kept)`
}

const attributeKind = (tag: Tag, name: string): string => {
  if (/^on/i.test(name)) return 'on* event attribute'
  const scheme = /^\s*([a-z][a-z0-9+.-]*):/i.exec(tag.attribs[name] ?? '')?.[1]
  return scheme && URL_ATTRIBUTES.has(name)
    ? `${scheme.toLowerCase()}: URL (${tag.name} ${name})`
    : `${name} attribute`
}

// A kept tag: the same element, its surviving attributes unchanged (srcset is rewritten, filtered).
const isKept = (tag: Tag, kept: Tag | undefined): kept is Tag =>
  kept !== undefined &&
  kept.name === tag.name &&
  Object.entries(kept.attribs).every(
    ([name, value]) => name === 'srcset' || tag.attribs[name] === value,
  )

/**
 * The kinds of markup the sanitiser removed from `html`, given the article it became. The sanitiser
 * keeps the order of what it keeps, so the input's tags are matched in order with the output's:
 * a tag with no match was removed, a matched one lost the attributes it no longer has.
 */
export const sanitiserLosses = (html: string, article: { contentHtml?: string; url: string }) => {
  // Most content loses nothing: the article holds it with only its URLs resolved.
  if (article.contentHtml === cleanText(absolutizeUrls(html, article.url))) return []
  const kinds = new Set<string>()
  const output = tagsOf(sanitizeArticleHtml(html))
  let next = 0
  for (const tag of tagsOf(html)) {
    const kept = output[next]
    if (!isKept(tag, kept)) {
      kinds.add(elementKind(tag))
      continue
    }
    next += 1
    for (const name of Object.keys(tag.attribs))
      if (!(name in kept.attribs)) kinds.add(attributeKind(tag, name))
  }
  if (DECLARATION.test(html)) kinds.add('declaration (<!DOCTYPE …>, <!ENTITY …>)')
  return [...kinds].map((kind) => `content HTML ${kind}: removed by the sanitiser`)
}
