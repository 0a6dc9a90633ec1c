// Rewrites fixtures/import/expected/<feed>.json from what the import makes of each corpus feed today:
// `npx tsx test/helpers/import-expected.ts`. Run it when the mapping changes on purpose (e.g. slugs
// that keep Unicode letters), then read the diff: it is the corpus's expected articles and losses.
import { readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { CORPUS, mapCorpusFeed } from './import-corpus.js'

// Not a feed to import: it is the validator's example of every broken rule.
const NOT_IN_CORPUS = new Set(['broken-rss.xml'])

for (const name of readdirSync(CORPUS).filter(
  (n) => /\.(xml|json)$/.test(n) && !NOT_IN_CORPUS.has(n),
)) {
  const expected = mapCorpusFeed(name)
  writeFileSync(
    join(CORPUS, 'expected', name.replace(/\.(xml|json)$/, '.json')),
    `${JSON.stringify(expected, null, 2)}\n`,
  )
}
