// Atom 1.0 renderer over the `feed` package: FeedModel → string, pure.
import type { Item } from 'feed'
import type { FeedItem, FeedModel } from '../model.js'
import { decorateAtom } from './atom-extras.js'
import { withHistoryLinks } from './history-links.js'
import { loadFeed } from './feed-package.js'
import { textToHtml } from '../../lib/html-text.js'

// Enclosures and images are added by decorateAtom: feed 6 would guess their types.
const toAtomItem = (item: FeedItem): Item => {
  return {
    // RFC 4287 §4.1.2: an entry has a title (it may be empty: a short post) and content or an
    // alternate link, which every item has.
    title: item.title === undefined ? '' : textToHtml(item.title),
    id: item.id,
    link: item.url,
    date: item.updated,
    published: item.published,
    ...(item.summary !== undefined && { description: textToHtml(item.summary) }),
    ...(item.contentHtml !== undefined && { content: item.contentHtml }),
    author: item.authors.map((a) => ({
      name: a.name,
      ...(a.email && { email: a.email }),
      ...(a.url && { link: a.url }),
    })),
    category: item.categories.map((c) => ({ name: c.label, term: c.slug, scheme: c.scheme })),
  }
}

/** Renders the model as Atom 1.0; `updated` comes from the model, never from the clock. */
export const renderAtom = (model: FeedModel): string =>
  withHistoryLinks(decorateAtom(loadFeed(model, 'atom', toAtomItem).atom1(), model), model, 'atom')
