// The JSON Feed 1.1 schema the check reads documents against (valibot), and the type it gives;
// json-guard.ts is its plain-code twin for documents that fit.
import * as v from 'valibot'

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
