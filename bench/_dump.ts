import { writeFileSync } from 'node:fs'
import { buildCatalog } from '../src/feeds/catalog.js'
import { toFeedModel } from '../src/feeds/model.js'
import { RENDERERS } from '../src/feeds/render/index.js'
import { syntheticArticle } from './synthetic.js'
const SITE = { title: 'Bench', description: 'Synthetic news', url: 'https://news.example.org', language: 'en' }
const IDS = { kind: 'tag', authority: 'news.example.org', date: '2026-11-01' } as const
const articles = Array.from({ length: 50 }, (_, i) => syntheticArticle(1000 - i))
const [site] = buildCatalog(SITE, [])
const model = toFeedModel({ site: SITE, ids: IDS, definition: site!, articles })
for (const f of ['rss','atom','json'] as const) writeFileSync(`/tmp/e-doc.${f}`, RENDERERS[f](model))
