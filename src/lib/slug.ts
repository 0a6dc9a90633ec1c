// Slugs: the URL-safe keys of articles, categories, tags and authors.

/** Lower-case ASCII words joined by single hyphens (the shape of every id and feed path segment). */
export const SLUG_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/

/** Turns a label into a slug: accents folded, anything else non-alphanumeric becomes a hyphen. */
export const slugify = (label: string): string =>
  label
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/&/g, ' and ')
    .replace(/\+/g, ' plus ')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
