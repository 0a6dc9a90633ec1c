// The parse-back check of the OPML list: well-formed OPML 2.0 naming every feed exactly once.
import { isHttpUrl } from '../../lib/urls.js'
import { parseXml } from '../../lib/xml.js'
import { attr, node, nodes, text, type XmlNode } from '../../lib/xml-tree.js'
import type { Problem } from './digest.js'

const problem = (rule: string, message: string): Problem => ({ rule, message })

const allOutlines = (parent: XmlNode): XmlNode[] =>
  nodes(parent.outline).flatMap((o) => [o, ...allOutlines(o)])

/** Problems in `body` as the OPML list of `feedUrls`; empty when it is publishable. */
export const checkOpml = (body: string, feedUrls: readonly string[]): Problem[] => {
  const parsed = parseXml(body, ['outline'])
  if ('error' in parsed) return [problem('well-formed', parsed.error)]
  const opml = node(parsed.doc.opml)
  const found: Problem[] = []
  if (attr(opml, 'version') !== '2.0') found.push(problem('opml', 'opml/@version is not "2.0"'))
  if (text(node(opml.head).title) === undefined) found.push(problem('opml', 'missing head/title'))
  const feeds = allOutlines(node(opml.body)).filter((o) => attr(o, 'xmlUrl') !== undefined)
  for (const o of feeds) {
    const url = attr(o, 'xmlUrl')!
    if (!attr(o, 'text') || attr(o, 'type') !== 'rss')
      found.push(problem('opml', `outline ${url} needs type="rss" and text (OPML 2.0)`))
    if (!isHttpUrl(url)) found.push(problem('absolute-urls', `"${url}" is not an absolute URL`))
  }
  const listed = feeds.map((o) => attr(o, 'xmlUrl')!).sort()
  const expected = [...feedUrls].sort()
  if (listed.join('\n') !== expected.join('\n')) {
    const missing = expected.filter((u) => !listed.includes(u))
    const extra = listed.filter((u, i) => !expected.includes(u) || listed.indexOf(u) !== i)
    found.push(
      problem(
        'opml-feeds',
        `lists ${listed.length} feeds, expected ${expected.length}` +
          `${missing.length ? `; missing ${missing.join(', ')}` : ''}` +
          `${extra.length ? `; unexpected or repeated ${extra.join(', ')}` : ''}`,
      ),
    )
  }
  return found
}
