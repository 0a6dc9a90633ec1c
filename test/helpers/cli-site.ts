// A site of one's own for CLI tests: a temporary folder with a configuration file, and the
// environment a `feedwright` command run against it gets.
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach } from 'vitest'
import { SITE, tempDir } from './fixtures.js'

export interface CliSite {
  /** The temporary folder: its configuration, data/ and feeds/. */
  path: string
  env: Record<string, string>
}

/** Registers hooks giving each test a fresh site; returns a getter for it (valid inside tests). */
export const useCliSite = (): (() => CliSite) => {
  let dir: Awaited<ReturnType<typeof tempDir>> | undefined
  let site: CliSite | undefined
  beforeEach(async () => {
    dir = await tempDir()
    const config = join(dir.path, 'feedwright.config.json')
    writeFileSync(config, JSON.stringify({ site: { title: SITE.title } }))
    const env = {
      SITE_URL: SITE.url,
      DATA_DIR: join(dir.path, 'data'),
      FEEDS_DIR: join(dir.path, 'feeds'),
      FEEDWRIGHT_CONFIG: config,
    }
    site = { path: dir.path, env }
  })
  afterEach(() => dir?.cleanup())
  return () => {
    if (!site) throw new Error('useCliSite: the site exists only inside tests')
    return site
  }
}
