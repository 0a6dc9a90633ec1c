// The `feed` package loaded with one model, for the RSS and Atom renderers.
import { Feed, type Item } from 'feed'
import type { FeedItem, FeedModel } from '../model.js'

/**
 * Plain text as `feed` must be given it to come out escaped exactly once. Its XML writer (xml-js)
 * first turns every `&amp;` back into `&` and then escapes the text, so a literal "&amp;" would
 * lose its escape; doubling each `&` first makes that one pass exact.
 */
export const plainText = (text: string): string => text.replace(/&/g, '&amp;')

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
    title: plainText(model.title),
    description: plainText(model.description),
    link: model.home,
    language: model.language,
    ...(model.copyright && { copyright: model.copyright }),
    updated: model.updated,
    generator: model.generator,
    ...(model.ttlMinutes !== undefined && { ttl: model.ttlMinutes }),
    feedLinks: { [format]: model.links[format] },
    ...(model.hub && { hub: model.hub }),
  })
  for (const item of model.items) feed.addItem(toItem(item))
  return feed
}
