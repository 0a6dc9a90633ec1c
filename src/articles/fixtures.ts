// Reads the fixture articles (one JSON file each) that seed an empty store.
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { ConfigError, ValidationError } from '../lib/errors.js'
import { type Article, parseArticle } from './schema.js'

/** Every `*.json` in `dir`, validated; a bad file is named in the error. */
export const loadFixtureArticles = async (dir: string): Promise<Article[]> => {
  let entries: string[]
  try {
    entries = await readdir(dir)
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code
    throw new ConfigError(
      code === 'ENOENT' || code === 'ENOTDIR'
        ? `articles/fixtures: seedFrom folder ${dir} does not exist; fix or remove "seedFrom"`
        : `articles/fixtures: cannot read seedFrom folder ${dir} (${code})`,
      { cause },
    )
  }
  const names = entries.filter((name) => name.endsWith('.json')).sort()
  return Promise.all(
    names.map(async (name) => {
      const text = await readFile(join(dir, name), 'utf8')
      try {
        return parseArticle(JSON.parse(text))
      } catch (cause) {
        const detail =
          cause instanceof ValidationError
            ? cause.issues.map((i) => `${i.path}: ${i.message}`).join('; ')
            : String(cause)
        throw new Error(`articles/fixtures: ${name} is not a valid article: ${detail}`, { cause })
      }
    }),
  )
}
