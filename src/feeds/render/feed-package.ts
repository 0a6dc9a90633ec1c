// The `feed` package loaded with one model, for the RSS and Atom renderers.
import { Feed, type Item } from 'feed'
import type { FeedItem, FeedModel } from '../model.js'

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
    title: model.title,
    description: model.description,
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
