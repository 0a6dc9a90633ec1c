// Parses a JSON Feed back and checks it against a JSON Feed 1.1 schema, yielding a FeedDigest.
import * as v from 'valibot'
import type { FeedDigest, Problem } from './digest.js'
import { fitsJsonFeed } from './json-guard.js'

const author = v.object({
  name: v.optional(v.string()),
  url: v.optional(v.string()),
  avatar: v.optional(v.string()),
})

// https://www.jsonfeed.org/version/1.1/ — required members and their types; extensions allowed.
const JsonFeedItemSchema = v.pipe(
  v.looseObject({
    id: v.pipe(v.string(), v.minLength(1)),
    url: v.optional(v.string()),
    external_url: v.optional(v.string()),
    title: v.optional(v.string()),
    content_html: v.optional(v.string()),
    content_text: v.optional(v.string()),
    summary: v.optional(v.string()),
    image: v.optional(v.string()),
    banner_image: v.optional(v.string()),
    date_published: v.optional(v.string()),
    date_modified: v.optional(v.string()),
    authors: v.optional(v.array(author)),
    tags: v.optional(v.array(v.string())),
    language: v.optional(v.string()),
    attachments: v.optional(
      v.array(
        v.object({
          url: v.string(),
          mime_type: v.string(),
          title: v.optional(v.string()),
          size_in_bytes: v.optional(v.number()),
          duration_in_seconds: v.optional(v.number()),
        }),
      ),
    ),
  }),
  v.check(
    (item) => item.content_html !== undefined || item.content_text !== undefined,
    'an item needs content_html or content_text',
  ),
)

export const JsonFeedSchema = v.looseObject({
  version: v.literal('https://jsonfeed.org/version/1.1'),
  title: v.pipe(v.string(), v.minLength(1)),
  home_page_url: v.optional(v.string()),
  feed_url: v.optional(v.string()),
  description: v.optional(v.string()),
  next_url: v.optional(v.string()),
  hubs: v.optional(v.array(v.looseObject({ type: v.string(), url: v.string() }))),
  icon: v.optional(v.string()),
  favicon: v.optional(v.string()),
  authors: v.optional(v.array(author)),
  language: v.optional(v.string()),
  expired: v.optional(v.boolean()),
  items: v.array(JsonFeedItemSchema),
})

export type JsonFeed = v.InferOutput<typeof JsonFeedSchema>

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
