// `feedwright build` beside a running service: the build id it takes and the reports it keeps.
import { describe, expect, it } from 'vitest'
import { build } from '../../src/cli/build.js'
import type { CliIo } from '../../src/cli/io.js'
import { loadConfig } from '../../src/config.js'
import { openStore } from '../../src/store/open.js'
import { useCliSite } from '../helpers/cli-site.js'
import { makeArticle } from '../helpers/fixtures.js'

const site = useCliSite()

const run = async (args: string[]) => {
  const out: string[] = []
  const err: string[] = []
  const io: CliIo = {
    out: (l) => out.push(l),
    err: (l) => err.push(l),
    env: site().env,
    isTty: false,
  }
  return { code: await build(args, io), out: out.join('\n'), err: err.join('\n') }
}

describe('feedwright build', () => {
  it('takes a fresh build id, so the report of a service building meanwhile is kept', async () => {
    const store = await openStore(loadConfig(site().env))
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
