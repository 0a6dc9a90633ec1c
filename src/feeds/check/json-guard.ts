// A plain-code twin of the JSON Feed 1.1 schema (json.ts) for the common case, a document that
// fits: valibot's walk costs as much as JSON.parse. It may refuse more than the schema, never less
// (test/feeds/check-json-guard.test.ts): a document it refuses goes to the schema, which names why.
import type { JsonFeed } from './json-schema.js'

type Value = unknown

const isObject = (value: Value): value is Record<string, Value> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

const optional = (value: Value, is: (v: Value) => boolean): boolean =>
  value === undefined || is(value)

const isString = (value: Value): value is string => typeof value === 'string'
const isNonEmptyString = (value: Value): boolean => isString(value) && value.length > 0

const optionalStrings = (object: Record<string, Value>, keys: readonly string[]): boolean =>
  keys.every((key) => optional(object[key], isString))

const listOf =
  (is: (v: Value) => boolean) =>
  (value: Value): boolean =>
    Array.isArray(value) && value.every(is)

const isAuthor = (value: Value): boolean =>
  isObject(value) && optionalStrings(value, ['name', 'url', 'avatar'])

const isAttachment = (value: Value): boolean =>
  isObject(value) &&
  isString(value.url) &&
  isString(value.mime_type) &&
  optional(value.title, isString) &&
  optional(value.size_in_bytes, (v) => typeof v === 'number') &&
  optional(value.duration_in_seconds, (v) => typeof v === 'number')

const ITEM_STRINGS = [
  'url',
  'external_url',
  'title',
  'content_html',
  'content_text',
  'summary',
  'image',
  'banner_image',
  'date_published',
  'date_modified',
  'language',
] as const

const isItem = (value: Value): boolean =>
  isObject(value) &&
  isNonEmptyString(value.id) &&
  optionalStrings(value, ITEM_STRINGS) &&
  optional(value.authors, listOf(isAuthor)) &&
  optional(value.tags, listOf(isString)) &&
  optional(value.attachments, listOf(isAttachment)) &&
  (value.content_html !== undefined || value.content_text !== undefined)

const FEED_STRINGS = [
  'home_page_url',
  'feed_url',
  'description',
  'next_url',
  'icon',
  'favicon',
  'language',
] as const

const isHub = (value: Value): boolean =>
  isObject(value) && isString(value.type) && isString(value.url)

/** Whether `doc` fits the JSON Feed 1.1 schema; false may also mean "ask the schema". */
export const fitsJsonFeed = (doc: Value): doc is JsonFeed =>
  isObject(doc) &&
  doc.version === 'https://jsonfeed.org/version/1.1' &&
  isNonEmptyString(doc.title) &&
  optionalStrings(doc, FEED_STRINGS) &&
  optional(doc.hubs, listOf(isHub)) &&
  optional(doc.authors, listOf(isAuthor)) &&
  optional(doc.expired, (v) => typeof v === 'boolean') &&
  listOf(isItem)(doc.items)
