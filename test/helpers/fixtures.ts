// Shared test set-up: the fixture articles, temporary directories and a test configuration.
import { writeFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { loadFixtureArticles } from '../../src/articles/fixtures.js'
import { type Article, parseArticle } from '../../src/articles/schema.js'
import { type Config, loadConfig } from '../../src/config.js'
import type { IdScheme } from '../../src/store/store.js'

export const FIXTURES_DIR = resolve(import.meta.dirname, '../../fixtures/articles')

export const SITE = Object.freeze({
  title: 'Example Science',
  description: 'Science news from example.org',
  url: 'https://news.example.org',
  language: 'en',
})

/** The id scheme renderer tests mint ids with (a build records one in the store). */
export const IDS: IdScheme = Object.freeze({
  kind: 'tag',
  authority: 'news.example.org',
  date: '2026-11-01',
})

export const fixtureArticles = (): Promise<Article[]> => loadFixtureArticles(FIXTURES_DIR)

/** A valid article with overrides, for tests that need one more. */
export const makeArticle = (overrides: Record<string, unknown> = {}): Article =>
  parseArticle({
    id: 'test-article',
    title: 'A test article',
    summary: 'What the test article says.',
    contentHtml: '<p>Body of the test article.</p>',
    url: 'https://news.example.org/science/test-article',
    authors: [{ name: 'Test Author' }],
    publishedAt: '2026-11-21T10:00:00Z',
    categories: ['Space'],
    tags: ['Testing'],
    ...overrides,
  })

/** Story n of a numbered series, published on the nth of October 2026 (n from 1 to 31). */
export const story = (n: number, overrides: Record<string, unknown> = {}): Article =>
  makeArticle({
    id: `story-${n}`,
    title: `Story ${n}`,
    url: `https://news.example.org/science/story-${n}`,
    publishedAt: `2026-10-${String(n).padStart(2, '0')}T10:00:00Z`,
    ...overrides,
  })

/** The body of a long read, ~120 KB. */
export const LONG_READ_HTML = '<p>A long read.</p>'.repeat(120_000 / 18)

/** A fresh temporary directory, removed by the returned cleanup. */
export const tempDir = async (): Promise<{ path: string; cleanup: () => Promise<void> }> => {
  const path = await mkdtemp(join(tmpdir(), 'feedwright-test-'))
  return { path, cleanup: () => rm(path, { recursive: true, force: true }) }
}

/** Configuration for a service under test: port 0, its own data and feeds directories. */
export const testConfig = (
  dir: string,
  env: Record<string, string> = {},
  file: Record<string, unknown> = {},
): Config => {
  const path = join(dir, 'feedwright.config.json')
  writeFileSync(
    path,
    JSON.stringify({
      site: { title: SITE.title, description: SITE.description },
      seedFrom: FIXTURES_DIR,
      ...file,
    }),
  )
  return loadConfig(
    {
      PORT: '0',
      HOST: '127.0.0.1',
      SITE_URL: SITE.url,
      DATA_DIR: join(dir, 'data'),
      FEEDS_DIR: join(dir, 'feeds'),
      FEEDWRIGHT_CONFIG: path,
      ...env,
    },
    dir,
  )
}
