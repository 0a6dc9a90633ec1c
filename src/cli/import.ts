// `feedwright import`: an existing RSS, Atom or JSON feed into the store, idempotently.
import { loadConfig } from '../config.js'
import { readForeignFeed } from '../import/feed-entries.js'
import { importFeed } from '../import/import-feed.js'
import { openStore } from '../store/open.js'
import { type Command, progress, readSource, UsageError } from './io.js'

export const IMPORT_HELP = `Usage: feedwright import <file-or-URL>

Imports the items of an RSS 2.0, Atom 1.0 or JSON Feed document as articles (ids derived from each
item's own id, so importing the same feed again changes nothing), and reports what it could not map.
A running service picks the articles up at its next build.`

export const importCommand: Command = async (args, io) => {
  if (args.length !== 1) throw new UsageError('import needs exactly one file or URL')
  const feed = readForeignFeed(await readSource(args[0]!))
  const store = await openStore(loadConfig(io.env))
  try {
    const report = await importFeed(store, feed, progress(io, 'importing').update)
    io.out(
      `imported ${args[0]} (${report.format}): ${report.entries} entries, ${report.created} created, ` +
        `${report.updated} updated, ${report.unchanged} unchanged, ${report.skipped.length} skipped`,
    )
    for (const s of report.skipped) io.out(`  skipped ${s.entry}: ${s.message}`)
    for (const n of report.notes) io.out(`  note ${n.entry}: ${n.message}`)
    return 0
  } finally {
    await store.close()
  }
}
