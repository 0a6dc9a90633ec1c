// Parses a JSON Feed back and checks it against a JSON Feed 1.1 schema, yielding a FeedDigest.
import * as v from 'valibot'
import type { FeedDigest, Problem } from './digest.js'
import { fitsJsonFeed } from './json-guard.js'
import { type JsonFeed, JsonFeedSchema } from './json-schema.js'

/** The schema's reading of a document the guard refused: the feed, or every member that fails. */
const schemaChecked = (doc: unknown): { feed: JsonFeed } | { problem: Problem } => {
  const result = v.safeParse(JsonFeedSchema, doc)
  if (result.success) return { feed: result.output }
  const where = result.issues.map((i) => `${v.getDotPath(i) ?? '(root)'}: ${i.message}`)
  return { problem: { rule: 'json-feed-schema', message: where.join('; ') } }
}

/** Parses and schema-checks a JSON Feed; any schema failure is a problem naming the member. */
export const digestJson = (body: string): { digest: FeedDigest } | { problem: Problem } => {
  let doc: unknown
  try {
    doc = JSON.parse(body)
  } catch (cause) {
    return { problem: { rule: 'well-formed', message: `not valid JSON: ${String(cause)}` } }
  }
  const checked = fitsJsonFeed(doc) ? { feed: doc } : schemaChecked(doc)
  if ('problem' in checked) return checked
  const { feed } = checked
  return {
    digest: {
      format: 'json',
      title: feed.title,
      home: feed.home_page_url,
      self: feed.feed_url,
      // JSON Feed 1.1 has no feed-level date.
      updated: undefined,
      tombstones: [],
      links: [
        ...(feed.next_url === undefined ? [] : [{ rel: 'next', href: feed.next_url }]),
        ...(feed.hubs ?? []).map((hub) => ({ rel: 'hub', href: hub.url })),
      ],
      archive: false,
      missing: [],
      prefixesUsed: [],
      prefixesDeclared: [],
      urls: [
        feed.home_page_url,
        feed.feed_url,
        feed.next_url,
        ...(feed.hubs ?? []).map((hub) => hub.url),
        ...feed.items.flatMap((item) => [
          item.url,
          item.image,
          ...(item.attachments ?? []).map((a) => a.url),
        ]),
      ].filter((u): u is string => u !== undefined),
      items: feed.items.map((item) => ({
        id: item.id,
        link: item.url,
        title: item.title,
        published: item.date_published,
        updated: item.date_modified,
        hasContent: true,
        authorCount: item.authors?.length ?? 0,
        media: (item.attachments ?? []).map((a) => ({
          kind: 'enclosure' as const,
          url: a.url,
          type: a.mime_type,
          length: a.size_in_bytes === undefined ? undefined : String(a.size_in_bytes),
        })),
      })),
    },
  }
}
