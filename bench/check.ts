// The parse-back check against the rendering it checks, per format, on the bench site's pages:
// 50 synthetic articles a page (about 1 KB of prose each, an image), as `npm run bench` builds them.
// Prints render and check milliseconds per document and their ratio (issue 12 goal 4: ≤ 1.00).
import { buildCatalog } from '../src/feeds/catalog.js'
import { checkOutput } from '../src/feeds/check/index.js'
import { FORMAT_NAMES } from '../src/feeds/formats.js'
import { toFeedModel } from '../src/feeds/model.js'
import { RENDERERS } from '../src/feeds/render/index.js'
import { syntheticArticle } from './synthetic.js'

const ROUNDS = Number(process.env.BENCH_CHECK_ROUNDS ?? 200)
const SITE = {
  title: 'Bench',
  description: 'Synthetic news',
  url: 'https://news.example.org',
  language: 'en',
}
const IDS = { kind: 'tag', authority: 'news.example.org', date: '2026-11-01' } as const

const articles = Array.from({ length: 50 }, (_, i) => syntheticArticle(1000 - i))
const [site] = buildCatalog(SITE, [])
const model = toFeedModel({ site: SITE, ids: IDS, definition: site!, articles })

const cpuMs = (run: () => void): number => {
  const started = process.cpuUsage()
  for (let i = 0; i < ROUNDS; i += 1) run()
  const used = process.cpuUsage(started)
  return (used.user + used.system) / 1000 / ROUNDS
}

const rows = FORMAT_NAMES.map((format) => {
  const render = RENDERERS[format]
  const body = render(model)
  const problems = checkOutput(format, body, model)
  if (problems.length > 0) throw new Error(`${format}: ${JSON.stringify(problems)}`)
  // Warm both paths before measuring, then alternate them so load changes hit both alike.
  cpuMs(() => render(model))
  cpuMs(() => checkOutput(format, body, model))
  let renderMs = 0
  let checkMs = 0
  for (let round = 0; round < 3; round += 1) {
    renderMs += cpuMs(() => render(model)) / 3
    checkMs += cpuMs(() => checkOutput(format, body, model)) / 3
  }
  return {
    format,
    KB: Math.round(body.length / 1024),
    'render ms (CPU)': renderMs.toFixed(3),
    'check ms (CPU)': checkMs.toFixed(3),
    'check ÷ render (target ≤ 1.00)': (checkMs / renderMs).toFixed(2),
  }
})
const total = (column: 'render ms (CPU)' | 'check ms (CPU)') =>
  rows.reduce((sum, row) => sum + Number(row[column]), 0)
console.log(`Parse-back check vs rendering, one 50-item page, ${ROUNDS} rounds × 3, CPU time`)
console.table(rows)
console.log(
  `All three formats: check ÷ render = ${(total('check ms (CPU)') / total('render ms (CPU)')).toFixed(2)} (target ≤ 1.00)`,
)
