// Pure helpers for edits: JSON merge patch and the edit time (stamped on every client write).
import type { Article } from './schema.js'

type Json = null | boolean | number | string | Json[] | { [key: string]: Json }

const isObject = (value: unknown): value is Record<string, Json> =>
  value !== null && typeof value === 'object' && !Array.isArray(value)

/** RFC 7396 JSON Merge Patch: objects merge, `null` removes a member, anything else replaces. */
export const mergePatch = (target: unknown, patch: unknown): unknown => {
  if (!isObject(patch)) return patch
  const result: Record<string, unknown> = isObject(target) ? { ...target } : {}
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key]
    else result[key] = mergePatch(result[key], value)
  }
  return result
}

/** Whether a client's input says when it was updated (an edit that does is not stamped). */
export const hasUpdatedAt = (input: unknown): boolean =>
  typeof input === 'object' &&
  input !== null &&
  (input as { updatedAt?: unknown }).updatedAt !== undefined

/**
 * An edit that changes an article without saying when moves `updatedAt` to `now`, so that feed
 * readers see the change (their `updated`) and the feeds' Last-Modified moves forward.
 */
export const stampEdit = (
  next: Article,
  previous: Article | undefined,
  updatedAtGiven: boolean,
  now: Date,
): Article => {
  if (updatedAtGiven || previous === undefined) return next
  const unchanged =
    JSON.stringify({ ...next, updatedAt: '' }) === JSON.stringify({ ...previous, updatedAt: '' })
  if (unchanged) return previous
  const stamp = [now.toISOString(), next.publishedAt, previous.updatedAt].sort().at(-1)!
  return { ...next, updatedAt: stamp }
}
