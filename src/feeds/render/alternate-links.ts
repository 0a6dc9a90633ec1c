// The autodiscovery `<link rel="alternate">` tags of a feed, one per format: in our pages' <head>,
// and printed by the CLI for a site's own pages.
import { textToAttr as attr } from '../../lib/html-text.js'
import { FEED_FORMATS, type FeedFormat, FORMAT_NAMES, mediaTypeOf } from '../formats.js'

/** One tag per line, each naming its format in the title a browser or reader shows. */
export const alternateLinks = (title: string, urls: Readonly<Record<FeedFormat, string>>): string =>
  FORMAT_NAMES.map(
    (format) =>
      `<link rel="alternate" type="${mediaTypeOf(format)}" ` +
      `title="${attr(`${title} (${FEED_FORMATS[format].label})`)}" href="${attr(urls[format])}">`,
  ).join('\n')
