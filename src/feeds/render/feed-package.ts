// The `feed` package loaded with one model, for the RSS and Atom renderers.
import { Feed, type Item } from 'feed'
import type { FeedItem, FeedModel } from '../model.js'

/**
 * Text as xml-js (under `feed`) must receive it to write it back unchanged: it turns every `&amp;`
 * into `&` before escaping, so a plain-text "R&amp;D" would be read back as "R&D". Escaping `&`
 * first makes that step undo exactly what was added.
 */
export const forXmlJs = (text: string): string => text.replace(/&/g, '&amp;')

/**
 * A `feed` instance holding the model. `updated` is always passed, so the package never falls back
 * to the clock; the self link is given per format (its `feed` option would give all formats one).
 */
export const loadFeed = (
  model: FeedModel,
  format: 'rss' | 'atom',
  toItem: (item: FeedItem) => Item,
): Feed => {
  const feed = new Feed({
    id: model.id,
    title: forXmlJs(model.title),
    description: forXmlJs(model.description),
    link: model.home,
    language: model.language,
    ...(model.copyright && { copyright: forXmlJs(model.copyright) }),
    updated: model.updated,
    generator: model.generator,
    ...(model.ttlMinutes !== undefined && { ttl: model.ttlMinutes }),
    feedLinks: { [format]: model.links[format] },
    ...(model.hub && { hub: model.hub }),
  })
  for (const item of model.items) feed.addItem(toItem(item))
  return feed
}
