// What a page for people shows as an article's headline, which a short post may not have.
import { htmlToText, shorten } from '../lib/html-text.js'

const HEADLINE_LENGTH = 80

/** The title, else the first words of the body, else the URL: never empty. */
export const headlineOf = (a: {
  title?: string | undefined
  summary?: string | undefined
  contentHtml?: string | undefined
  url: string
}): string =>
  a.title ?? (shorten(a.summary ?? htmlToText(a.contentHtml ?? ''), HEADLINE_LENGTH) || a.url)
