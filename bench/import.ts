// `feedwright import` at scale: a synthetic RSS 2.0 feed of N items imported into a fresh SQLite
// store by bench/import-target.ts in its own process, so its peak memory is the import's alone.
import { execFile } from 'node:child_process'
import { mkdir, rm, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'

const run = promisify(execFile)
const ROOT = resolve(import.meta.dirname, '..')

/** The feed's text: WordPress-shaped items (guid, dates, creator, categories, HTML content). */
export const syntheticFeed = (items: number): string => {
  const parts = [
    '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/" ' +
      'xmlns:content="http://purl.org/rss/1.0/modules/content/">\n<channel>\n' +
      '<title>Bench Import</title>\n<link>https://import.example.org/</link>\n' +
      '<description>Synthetic items</description>\n<language>en</language>\n',
  ]
  const start = Date.UTC(2020, 0, 1)
  for (let i = 0; i < items; i += 1) {
    const date = new Date(start + i * 600_000).toUTCString()
    parts.push(
      `<item><title>Item ${i}: a synthetic headline</title>` +
        `<link>https://import.example.org/posts/${i}</link>` +
        `<guid isPermaLink="false">bench-${i}</guid><pubDate>${date}</pubDate>` +
        `<dc:creator>Author ${i % 50}</dc:creator><category>Topic ${i % 20}</category>` +
        `<description>Summary of item ${i}.</description>` +
        `<content:encoded><![CDATA[<p>Body of item ${i}, with <a href="/x/${i}">a link</a>.</p>]]></content:encoded>` +
        '</item>\n',
    )
  }
  parts.push('</channel>\n</rss>\n')
  return parts.join('')
}

export interface ImportFigure {
  bytes: number
  items: number
  created: number
  skipped: number
  /** The first reading: decode, check every record and the envelope, count. */
  checkMs: number
  /** The second reading: decode, parse each record, map and store. */
  storeMs: number
  maxRssMiB: number
}

/** Writes a feed of `items` items and imports it in a child process; its figures. */
export const measureImport = async (items: number, outDir: string): Promise<ImportFigure> => {
  await mkdir(outDir, { recursive: true })
  const feedFile = join(outDir, `import-${items}.xml`)
  const storeFile = join(outDir, `import-${items}.db`)
  await writeFile(feedFile, syntheticFeed(items))
  try {
    const { stdout } = await run(
      join(ROOT, 'node_modules/.bin/tsx'),
      [join(ROOT, 'bench/import-target.ts'), feedFile, storeFile],
      { cwd: ROOT, maxBuffer: 1024 * 1024 },
    )
    return JSON.parse(stdout.trim().split('\n').at(-1)!) as ImportFigure
  } finally {
    for (const file of [feedFile, storeFile, `${storeFile}-wal`, `${storeFile}-shm`])
      await rm(file, { force: true })
  }
}
