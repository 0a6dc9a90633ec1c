// `feedwright build`: one full build into feeds/ with no server, for static hosting and CI.
import { builderSettings, createBuilder } from '../builder/builder.js'
import { loadConfig } from '../config.js'
import { prepareDirectory } from '../lib/directories.js'
import { openShelf } from '../publish/shelf.js'
import { createPublishedOutputs } from '../publish/outputs.js'
import { openStore } from '../store/open.js'
import { type Command, progress, UsageError } from './io.js'

export const BUILD_HELP = `Usage: feedwright build

Builds every feed once into FEEDS_DIR (default ./feeds) from the store, checks each by parsing it
back, and prints the report. An article that makes a feed fail is left out of it and named
(QUARANTINED); a feed that fails without any article to blame is not written (FAILED). Exits 1
when either happened.`

export const build: Command = async (args, io) => {
  if (args.length > 0) throw new UsageError(`build takes no arguments (got ${args.join(' ')})`)
  const config = loadConfig(io.env)
  await prepareDirectory(config.feedsDir, 'FEEDS_DIR')
  if (config.databaseUrl === undefined) await prepareDirectory(config.dataDir, 'DATA_DIR')
  const store = await openStore(config)
  let builder: ReturnType<typeof createBuilder> | undefined
  try {
    const bar = progress(io, 'building feeds')
    builder = createBuilder({
      settings: builderSettings(config),
      dependencies: {
        store,
        outputs: createPublishedOutputs(),
        ...(config.archives && { shelf: await openShelf(config.feedsDir, { info: io.err }) }),
      },
      ownsChangeLog: false,
      on: { progress: bar.update },
    })
    // An id from the store's sequence: a service sharing the store may be running a build whose
    // report is not saved yet, and latest + 1 would take (and overwrite) its id.
    const id = await store.builds.nextBuildId()
    const report = await builder.build({ id, full: true })
    io.out(
      `build ${report.id}: ${report.feeds} feeds, ${report.published + report.unchanged} of ` +
        `${report.rendered} outputs written to ${config.feedsDir} in ${Math.round(report.durationMs)} ms`,
    )
    for (const f of report.failures) io.err(`FAILED ${f.feed}: [${f.rule}] ${f.message}`)
    for (const q of report.quarantined)
      io.err(`QUARANTINED ${q.article} in ${q.feed}: [${q.rule}] ${q.message}`)
    return report.failures.length === 0 && report.quarantined.length === 0 ? 0 : 1
  } finally {
    await builder?.close()
    await store.close()
  }
}
