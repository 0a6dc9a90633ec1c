// The parse-back check: reads a rendered document as a feed reader would, then applies our rules.
import { detectFormat, type FeedFormat } from '../formats.js'
import type { FeedModel } from '../model.js'
import type { FeedDigest, Problem } from './digest.js'
import { digestJson } from './json.js'
import { checkDigest, checkDocumentDigest } from './rules.js'
import { digestXml } from './xml.js'

export type { FeedDigest, Problem } from './digest.js'

/** Parses one format into a digest (or the reason it cannot be parsed). */
export const digestFeed = (
  format: FeedFormat,
  body: string,
): { digest: FeedDigest } | { problem: Problem } => {
  switch (format) {
    case 'rss':
    case 'atom':
      return digestXml(format, body)
    case 'json':
      return digestJson(body)
  }
}

/** Every problem in `body` as a rendering of `model` in `format`; an empty list means publishable. */
export const checkOutput = (format: FeedFormat, body: string, model: FeedModel): Problem[] => {
  const parsed = digestFeed(format, body)
  return 'problem' in parsed ? [parsed.problem] : checkDigest(parsed.digest, model, body)
}

/** Checks any feed document, ours or not, against every rule that needs no model. */
export const checkDocument = (body: string): { format?: FeedFormat; problems: Problem[] } => {
  const format = detectFormat(body)
  if (!format) {
    return {
      problems: [{ rule: 'format', message: 'not an RSS 2.0, Atom 1.0 or JSON Feed document' }],
    }
  }
  const parsed = digestFeed(format, body)
  return {
    format,
    problems: 'problem' in parsed ? [parsed.problem] : checkDocumentDigest(parsed.digest, body),
  }
}
