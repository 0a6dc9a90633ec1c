// Synthetic articles for benchmarks: deterministic, seed-shaped, spread over 20 categories.
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { type Article, parseArticle } from '../src/articles/schema.js'

export const CATEGORY_COUNT = 20

const seed = JSON.parse(
  readFileSync(
    resolve(import.meta.dirname, '../fixtures/articles/pakistan-china-space-science-centre.json'),
    'utf8',
  ),
) as { contentHtml: string; summary: string }

// About 1 KB of the seed's prose per article, so a 50-item feed weighs what a real one does.
const BODY = seed.contentHtml.slice(0, 1_000).replace(/<p>[^<]*$/, '')

// Validated once; each synthetic article is this template with its own id, dates and category.
// Validating a million generated articles would measure valibot, not the store.
const TEMPLATE = parseArticle({
  id: 'bench-template',
  title: 'Synthetic article on space science',
  summary: seed.summary,
  contentHtml: BODY,
  url: 'https://news.example.org/science/bench-template',
  authors: [{ name: 'Bench Desk' }],
  publishedAt: '2020-01-01T00:00:00Z',
  categories: ['Category 0'],
  image: {
    url: 'https://news.example.org/media/bench-template.jpg',
    type: 'image/jpeg',
    length: 50_000,
  },
  language: 'en',
})

// 48 articles a day, a large newsroom's pace: about 1,460 a month, so 100k articles span 5.7 years
// and the site feed has ~70 monthly archives.
export const ARTICLE_SPACING_MS = 30 * 60_000

// 1M articles span 57 years: starting in 1960 the whole history lies in the past, so none of it is
// a scheduled article kept out of the feeds (articles/schedule.ts).
const FIRST_PUBLISHED = Date.UTC(1960, 0, 1)

/** Article number `n` of a synthetic store, 30 minutes after article n-1. */
export const syntheticArticle = (n: number): Article => {
  const published = new Date(FIRST_PUBLISHED + n * ARTICLE_SPACING_MS).toISOString()
  return {
    ...TEMPLATE,
    id: `bench-${n}`,
    title: `Synthetic article ${n} on space science`,
    url: `https://news.example.org/science/bench-${n}`,
    publishedAt: published,
    updatedAt: published,
    categories: [`Category ${n % CATEGORY_COUNT}`],
    image: {
      ...TEMPLATE.image!,
      url: `https://news.example.org/media/bench-${n}.jpg`,
      length: 50_000 + n,
    },
  }
}

/** Batches of synthetic articles [from, to), `size` at a time. */
export function* syntheticBatches(from: number, to: number, size = 5_000): Generator<Article[]> {
  for (let start = from; start < to; start += size) {
    const end = Math.min(to, start + size)
    yield Array.from({ length: end - start }, (_, i) => syntheticArticle(start + i))
  }
}
