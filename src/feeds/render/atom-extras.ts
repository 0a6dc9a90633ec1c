// What the Atom renderer adds to the document `feed` writes, which has no way to add elements:
// enclosure links with their real types (feed would guess them from the URL), Media RSS for images,
// and RFC 6721 tombstones. Every insertion point is text `feed` 6.0.0 always writes; the parse-back
// check proves the result is well-formed and holds exactly what the model says.
import { textToAttr as attr } from '../../lib/html-text.js'
import type { FeedItem, FeedModel } from '../model.js'

const ATOM_ROOT = '<feed xmlns="http://www.w3.org/2005/Atom">'
// Media RSS 1.5.1, and RFC 6721 §2.1.
export const MEDIA_NS = 'http://search.yahoo.com/mrss/'
const TOMBSTONES_NS = 'http://purl.org/atompub/tombstones/1.0'
const ENTRY_INDENT = '\n        '
const FIRST_ENTRY = /<entry>/

/** How `feed` writes an id: parsed as a URL, `&` escaped. */
const writtenId = (id: string): string => new URL(id).href.replace(/&/g, '&amp;')

const entryExtras = (item: FeedItem): string[] => [
  ...[...item.enclosures, ...(item.image ? [item.image] : [])].map(
    (m) =>
      `<link rel="enclosure" href="${attr(m.url)}" type="${attr(m.type)}" length="${m.length}"` +
      `${'title' in m && m.title ? ` title="${attr(m.title)}"` : ''}/>`,
  ),
  ...(item.image
    ? [
        `<media:content url="${attr(item.image.url)}" type="${attr(item.image.type)}" ` +
          `fileSize="${item.image.length}" medium="image"/>`,
        `<media:thumbnail url="${attr(item.image.url)}"/>`,
      ]
    : []),
]

export const decorateAtom = (xml: string, model: FeedModel): string => {
  // One pass over the document: each entry's extras go right after its <id>.
  const extrasById = new Map(
    model.items
      .map((item) => [writtenId(item.id), entryExtras(item)] as const)
      .filter(([, extras]) => extras.length > 0),
  )
  let out = xml.replace(/<id>([^<]*)<\/id>/g, (whole, id: string) => {
    const extras = extrasById.get(id)
    return extras ? `${whole}${ENTRY_INDENT}${extras.join(ENTRY_INDENT)}` : whole
  })
  const namespaces = [
    ...(model.items.some((i) => i.image) ? [` xmlns:media="${MEDIA_NS}"`] : []),
    ...(model.deletions.length > 0 ? [` xmlns:at="${TOMBSTONES_NS}"`] : []),
  ]
  out = out.replace(ATOM_ROOT, `${ATOM_ROOT.slice(0, -1)}${namespaces.join('')}>`)
  if (model.deletions.length === 0) return out
  // RFC 4287 Appendix B allows extension elements of atom:feed only before the first atom:entry;
  // RFC 6721 §2 does not fix their place, so they go there, or last when there is no entry.
  const tombstones = model.deletions
    .map((d) => `<at:deleted-entry ref="${attr(d.id)}" when="${d.when.toISOString()}"/>\n    `)
    .join('')
  return FIRST_ENTRY.test(out)
    ? out.replace(FIRST_ENTRY, `${tombstones}<entry>`)
    : out.replace(/<\/feed>\s*$/, `    ${tombstones.trimEnd()}\n</feed>`)
}
