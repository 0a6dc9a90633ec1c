// Slugs: the URL-safe keys of articles, and the path segments of category, tag and author feeds.
import { createHash } from 'node:crypto'

/** Lower-case ASCII words joined by single hyphens (the shape of every article id). */
export const SLUG_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/

/**
 * A label's slug: words of letters, marks and digits in any script, joined by single hyphens.
 * RFC 3987 IRI segments: kept as text in paths and files, percent-encoded on the wire.
 */
export const LABEL_SLUG_PATTERN = /^[\p{L}\p{M}\p{N}]+(?:-[\p{L}\p{M}\p{N}]+)*$/u

// A path segment becomes a file name under feeds/: most file systems allow 255 bytes. Long names
// in three-byte scripts (200 characters of Devanagari) keep a prefix and a hash of the rest.
const MAX_SLUG_BYTES = 120
const HASH_LENGTH = 10

/** The ASCII slug every label had before slugs knew other scripts: accents folded, `&` → and. */
const asciiSlug = (label: string): string =>
  label
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/&/g, ' and ')
    .replace(/\+/g, ' plus ')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')

const graphemes = new Intl.Segmenter('und', { granularity: 'grapheme' })

/** Cuts at a grapheme boundary (a vowel sign stays with its consonant) and adds a hash. */
const bounded = (slug: string): string => {
  if (Buffer.byteLength(slug) <= MAX_SLUG_BYTES) return slug
  const budget = MAX_SLUG_BYTES - HASH_LENGTH - 1
  let kept = ''
  for (const { segment } of graphemes.segment(slug)) {
    if (Buffer.byteLength(kept + segment) > budget) break
    kept += segment
  }
  const hash = createHash('sha256').update(slug).digest('hex').slice(0, HASH_LENGTH)
  return `${kept.replace(/-+$/, '')}-${hash}`
}

/** Letters, marks and digits of any script, lower-cased where the script has case (NFKC). */
const unicodeSlug = (label: string): string => {
  const slug = label
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}]+/gu, '-')
    .replace(/^-+|-+$/g, '')
  return /[\p{L}\p{N}]/u.test(slug) ? bounded(slug) : ''
}

/**
 * Turns a label into a slug. A label with any ASCII letter or digit keeps the ASCII slug it has
 * always had (URLs already published never change: "Café" stays `cafe`); a label written only in
 * other scripts (李明, Иван Петров, محمد, Ελένη) gets its own words. Empty when it has neither.
 */
export const slugify = (label: string): string => asciiSlug(label) || unicodeSlug(label)
