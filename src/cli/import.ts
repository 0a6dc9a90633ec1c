// `feedwright import`: an existing feed into the store, idempotently, saying what it could not keep.
import { loadConfig } from '../config.js'
import { openForeignFeed } from '../import/feed-entries.js'
import { type Finding, importFeed, isLossy } from '../import/import-feed.js'
import { bytesSource, fileSource, type FeedSource } from '../import/source.js'
import { openStore } from '../store/open.js'
import {
  checkFileSize,
  type CliIo,
  type Command,
  DEFAULT_MAX_BYTES,
  parseOptions,
  progress,
  readSourceBytes,
  UsageError,
} from './io.js'

export const IMPORT_HELP = `Usage: feedwright import <file-or-URL> [--dry-run] [--allow-loss] [--max-bytes N]

Imports the items of an RSS 0.91/0.92/1.0/2.0, Atom 0.3/1.0 or JSON Feed 1.0/1.1 document as
articles. Ids come from each item's own id, so importing the same feed again changes nothing.
Bytes are decoded by the declared encoding (byte order mark, HTTP charset, XML declaration);
a byte that does not decode stops the import, naming the item.

Items with no title and no body become link posts; undated items take the feed's date, else the
import time. Whatever an item holds that an article cannot (itunes:*, comments, thumbnails, …)
and markup the HTML sanitiser removes (scripts, on* attributes, javascript: URLs, classes, …)
is reported once per kind with the number of items. The document is checked whole before anything
is written, then read again item by item, so an XML file is never held whole in memory.

  --dry-run     show what would be imported; write nothing
  --allow-loss  exit 0 even when items were skipped or lost something
  --max-bytes   refuse inputs larger than this (default ${DEFAULT_MAX_BYTES})

Exit codes: 0 everything imported; 1 an item was skipped or lost content (or the input could not
be read); 2 usage.`

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`

const printFindings = (io: CliIo, label: string, findings: readonly Finding[]) => {
  for (const f of findings)
    io.out(
      `  ${label} ${f.kind}: ${plural(f.count, 'item')} (${f.examples.join(', ')}${f.count > f.examples.length ? ', …' : ''})`,
    )
}

/**
 * Where the feed's bytes are read from: a file is read from disk at each of the import's two
 * readings (never held whole); a URL's body, refused past `maxBytes`, is kept in memory as bytes.
 */
const sourceOf = async (source: string, maxBytes: number): Promise<FeedSource> => {
  if (!/^https?:\/\//i.test(source)) {
    await checkFileSize(source, maxBytes)
    return fileSource(source)
  }
  const { bytes, charset } = await readSourceBytes(source, maxBytes)
  return bytesSource(bytes, charset)
}

export const importCommand: Command = async (args, io) => {
  const { values, positionals } = parseOptions(args, {
    'dry-run': { type: 'boolean' },
    'allow-loss': { type: 'boolean' },
    'max-bytes': { type: 'string' },
  })
  const maxBytes =
    values['max-bytes'] === undefined ? DEFAULT_MAX_BYTES : Number(values['max-bytes'])
  if (!Number.isInteger(maxBytes) || maxBytes <= 0)
    throw new UsageError('--max-bytes needs a positive whole number of bytes')
  if (positionals.length !== 1) throw new UsageError('import needs exactly one file or URL')
  const source = positionals[0]!
  const dryRun = values['dry-run'] === true

  // The whole document is checked here, before the store is opened: a refused one writes nothing.
  const { feed, decoded } = openForeignFeed(await sourceOf(source, maxBytes))
  const store = await openStore(loadConfig(io.env))
  try {
    const report = await importFeed(store.articles, feed, {
      onProgress: progress(io, 'importing').update,
      dryRun,
    })
    const skipped = report.skipped.reduce((n, f) => n + f.count, 0)
    io.out(
      `${dryRun ? 'dry run, nothing written: would import' : 'imported'} ${source} ` +
        `(${report.version}, ${decoded.encoding}${decoded.declaredBy === 'default' ? '' : ` by the ${decoded.declaredBy === 'bom' ? 'byte order mark' : decoded.declaredBy === 'http' ? 'HTTP charset' : 'XML declaration'}`}): ` +
        `${plural(report.entries, 'item')}, ${report.created} created, ${report.updated} updated, ` +
        `${report.unchanged} unchanged, ${skipped} skipped`,
    )
    printFindings(io, 'skipped:', report.skipped)
    printFindings(io, 'lost:', report.lost)
    printFindings(io, 'note:', report.notes)
    if (!isLossy(report)) return 0
    if (values['allow-loss']) {
      io.out('  some content was not kept (accepted with --allow-loss)')
      return 0
    }
    io.err(
      `feedwright import: ${skipped} skipped, ${plural(report.lost.length, 'kind')} of content not kept ` +
        '(listed above); rerun with --allow-loss to accept them',
    )
    return 1
  } finally {
    await store.close()
  }
}
