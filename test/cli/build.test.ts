// `feedwright build` beside a running service: the build id it takes and the reports it keeps.
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { build } from '../../src/cli/build.js'
import type { CliIo } from '../../src/cli/io.js'
import { loadConfig } from '../../src/config.js'
import { openStore } from '../../src/store/open.js'
import { makeArticle, SITE, tempDir } from '../helpers/fixtures.js'

let dir: Awaited<ReturnType<typeof tempDir>>
let env: Record<string, string>
beforeEach(async () => {
  dir = await tempDir()
  const config = join(dir.path, 'feedwright.config.json')
  writeFileSync(config, JSON.stringify({ site: { title: SITE.title } }))
  env = {
    SITE_URL: SITE.url,
    DATA_DIR: join(dir.path, 'data'),
    FEEDS_DIR: join(dir.path, 'feeds'),
    FEEDWRIGHT_CONFIG: config,
  }
})
afterEach(() => dir.cleanup())

const run = async (args: string[]) => {
  const out: string[] = []
  const err: string[] = []
  const io: CliIo = { out: (l) => out.push(l), err: (l) => err.push(l), env, isTty: false }
  return { code: await build(args, io), out: out.join('\n'), err: err.join('\n') }
}

describe('feedwright build', () => {
  it('takes a fresh build id, so the report of a service building meanwhile is kept', async () => {
    const store = await openStore(loadConfig(env))
    try {
      await store.articles.upsert(makeArticle())
      // A service sharing the store has finished build 1 and is running build 2.
      const finished = await store.builds.nextBuildId()
      await store.builds.saveBuildReport(
        finished,
        JSON.stringify({ id: finished, by: 'service' }),
        20,
      )
      const running = await store.builds.nextBuildId()
      const built = await run([])
      expect(built.code).toBe(0)
      const cliId = Number(/^build (\d+):/.exec(built.out)?.[1])
      expect(cliId).not.toBe(running)
      expect(cliId).toBeGreaterThan(running)
      await store.builds.saveBuildReport(
        running,
        JSON.stringify({ id: running, by: 'service' }),
        20,
      )
      expect(JSON.parse((await store.builds.buildReport(cliId))!)).toMatchObject({ id: cliId })
      expect(JSON.parse((await store.builds.buildReport(running))!)).toEqual({
        id: running,
        by: 'service',
      })
      expect(JSON.parse((await store.builds.buildReport(finished))!)).toEqual({
        id: finished,
        by: 'service',
      })
    } finally {
      await store.close()
    }
  })
})
