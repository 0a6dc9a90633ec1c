// JSON Feed 1.1 renderer (https://www.jsonfeed.org/version/1.1/): FeedModel → string, pure.
// Written here because the `feed` package only writes JSON Feed 1.0.
import { toRfc3339 } from '../../lib/dates.js'
import { olderItems } from '../history.js'
import type { FeedItem, FeedModel } from '../model.js'

export const JSON_FEED_VERSION = 'https://jsonfeed.org/version/1.1'

const toJsonItem = (item: FeedItem) => ({
  id: item.id,
  url: item.url,
  ...(item.title !== undefined && { title: item.title }),
  // JSON Feed 1.1 "items": content_html or content_text is required; a post with no body has its
  // summary, else its title, as its text.
  ...(item.contentHtml !== undefined
    ? {
        ...(item.summary !== undefined && { summary: item.summary }),
        content_html: item.contentHtml,
      }
    : { content_text: item.summary ?? item.title ?? '' }),
  ...(item.image && { image: item.image.url }),
  date_published: toRfc3339(item.published),
  date_modified: toRfc3339(item.updated),
  authors: item.authors.map((a) => ({ name: a.name, ...(a.url && { url: a.url }) })),
  tags: item.categories.map((c) => c.label),
  ...(item.language && { language: item.language }),
  ...(item.enclosures.length > 0 && {
    attachments: item.enclosures.map((e) => ({
      url: e.url,
      mime_type: e.type,
      size_in_bytes: e.length,
      ...(e.title && { title: e.title }),
    })),
  }),
})

/** Renders the model as JSON Feed 1.1 with a fixed key order, so equal models give equal bytes. */
export const renderJson = (model: FeedModel): string =>
  `${JSON.stringify(
    {
      version: JSON_FEED_VERSION,
      title: model.title,
      home_page_url: model.home,
      feed_url: model.links.json,
      description: model.description,
      language: model.language,
      ...(olderItems(model) && { next_url: olderItems(model) }),
      ...(model.hub && { hubs: [{ type: 'WebSub', url: model.hub }] }),
      items: model.items.map(toJsonItem),
    },
    null,
    2,
  )}\n`
