// When an article may be published: drafts never; others once their dates have passed.

import type { FieldIssue } from '../lib/errors.js'
import type { Article } from './schema.js'

/**
 * The instant (ISO) from which the article may appear in feeds, pages and the public API, or
 * undefined for a draft. It is `updatedAt`, never earlier than `publishedAt`: an article scheduled
 * for later waits for that time, and no feed ever carries a date in the future.
 */
export const dueAt = (article: Article): string | undefined =>
  article.status === 'draft' ? undefined : article.updatedAt

/** Whether the article may be public at `now`. */
export const isDue = (article: Article, now: Date): boolean => {
  const due = dueAt(article)
  return due !== undefined && due <= now.toISOString()
}

/**
 * An article already published cannot be dated in the future: it would leave the feeds until
 * then. Schedule an article by its publishedAt instead.
 */
export const futureEditIssue = (article: Article, now: Date): FieldIssue | undefined =>
  article.publishedAt <= now.toISOString() && article.updatedAt > now.toISOString()
    ? {
        path: 'updatedAt',
        message: 'must not be in the future when publishedAt is not (schedule by publishedAt)',
      }
    : undefined
