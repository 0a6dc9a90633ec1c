// RFC 5005 links (first/previous/next/last, current/prev-archive/next-archive) and the fh:archive
// marker, written into the RSS and Atom documents `feed` produces, which has no option for them.
// They go right after the self link, which `feed` always writes because the model always has one.
import { HISTORY_NS } from '../history.js'
import type { FeedModel } from '../model.js'
import { textToAttr as attr } from '../../lib/html-text.js'

const SELF_LINK: Readonly<Record<'rss' | 'atom', RegExp>> = {
  rss: /<atom:link href="[^"]*" rel="self"[^>]*\/>/,
  atom: /<link rel="self" href="[^"]*"\/>/,
}
const ROOT: Readonly<Record<'rss' | 'atom', string>> = {
  rss: '<rss version="2.0"',
  atom: '<feed xmlns="http://www.w3.org/2005/Atom"',
}

/** Adds the model's history links (and the archive marker with its namespace) to a document. */
export const withHistoryLinks = (xml: string, model: FeedModel, format: 'rss' | 'atom'): string => {
  if (model.history.length === 0 && !model.archive) return xml
  const element = format === 'rss' ? 'atom:link' : 'link'
  const indent = format === 'rss' ? '\n        ' : '\n    '
  const lines = [
    ...model.history.map(
      (link) => `<${element} rel="${link.rel}" href="${attr(link.links[format])}"/>`,
    ),
    ...(model.archive ? ['<fh:archive/>'] : []),
  ]
  const out = xml.replace(SELF_LINK[format], (self) => `${self}${indent}${lines.join(indent)}`)
  return model.archive ? out.replace(ROOT[format], `${ROOT[format]} xmlns:fh="${HISTORY_NS}"`) : out
}
