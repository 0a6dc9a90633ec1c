// The table of renderers, one per format, all with the same signature.
import type { FeedFormat } from '../formats.js'
import type { FeedModel } from '../model.js'
import { renderAtom } from './atom.js'
import { renderJson } from './json.js'
import { renderRss } from './rss.js'

export type Renderer = (model: FeedModel) => string

export const RENDERERS: Readonly<Record<FeedFormat, Renderer>> = {
  rss: renderRss,
  atom: renderAtom,
  json: renderJson,
}
