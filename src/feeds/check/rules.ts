// The checks parsers do not enforce: a digest compared with the model it was rendered from.
import { isHttpUrl } from '../../lib/urls.js'
import { olderItems } from '../history.js'
import type { FeedItem, FeedModel } from '../model.js'
import type { FeedDigest, Problem } from './digest.js'

// RFC 822 §5.1 as RSS 2.0 uses it (four-digit years, RFC 1123): "Sat, 07 Sep 2002 00:00:01 GMT".
const RFC_822 =
  /^(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), )?\d{1,2} (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}(?::\d{2})? (?:GMT|UT|[+-]\d{4}|[ECMP][SD]T|Z)$/
// RFC 3339 §5.6 date-time, as Atom (RFC 4287 §3.3) and JSON Feed 1.1 require.
const RFC_3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/i
// XML 1.0 §2.2 Char, negated: what no XML document may contain.
const NON_XML_CHAR = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/
// The same characters as JSON escapes them.
const JSON_CONTROL_ESCAPE = /\\u00(?:0[0-8bcef]|1[0-9a-f])/i

// RFC 6838 §4.2 type/subtype.
const MEDIA_TYPE = /^[a-z0-9][a-z0-9!#$&^_.+-]*\/[a-z0-9][a-z0-9!#$&^_.+-]*$/i

/** A rule about the document alone: applies to any feed, ours or not. Never throws. */
type DocumentRule = (digest: FeedDigest, body: string) => Problem[]
/** A rule comparing the document with the model it was rendered from. Never throws. */
type ModelRule = (digest: FeedDigest, model: FeedModel) => Problem[]

const problem = (rule: string, message: string): Problem => ({ rule, message })

const requiredElements: DocumentRule = (digest) =>
  digest.missing.map((path) => problem('required-elements', `missing ${path}`))

// An XML digest carries the answer from its reading (strict-xml.ts); JSON is looked at here.
const controlCharacters: DocumentRule = (digest, body) =>
  (digest.controlCharacters ??
  (digest.format === 'json' ? JSON_CONTROL_ESCAPE : NON_XML_CHAR).test(body))
    ? [problem('control-characters', 'the document contains control characters')]
    : []

const dateFormats: DocumentRule = (digest) => {
  const [pattern, name] = digest.format === 'rss' ? [RFC_822, 'RFC 822'] : [RFC_3339, 'RFC 3339']
  const dates = [
    ['feed updated', digest.updated],
    ...digest.items.flatMap((item, i) => [
      [`item ${i + 1} published`, item.published],
      [`item ${i + 1} updated`, item.updated],
    ]),
    ...digest.tombstones.map((t, i) => [`tombstone ${i + 1} when`, t.when ?? '(missing)']),
  ] as Array<[string, string | undefined]>
  return dates
    .filter(([, value]) => value !== undefined)
    .filter(([, value]) => !pattern.test(value!) || Number.isNaN(Date.parse(value!)))
    .map(([where, value]) => problem('date-format', `${where} "${value}" is not an ${name} date`))
}

const uniqueIds: DocumentRule = (digest) => {
  const ids = digest.items.map((item) => item.id)
  const missing = ids.flatMap((id, i) =>
    id ? [] : [problem('item-ids', `item ${i + 1} has no id`)],
  )
  const seen = new Set<string>()
  const duplicates = new Set<string>()
  for (const id of ids) {
    if (id && seen.has(id)) duplicates.add(id)
    else if (id) seen.add(id)
  }
  return [
    ...missing,
    ...[...duplicates].map((id) => problem('unique-ids', `id ${id} appears twice`)),
  ]
}

const absoluteUrls: DocumentRule = (digest) =>
  digest.urls
    .filter((url) => !isHttpUrl(url))
    .map((url) => problem('absolute-urls', `"${url}" is not an absolute http(s) URL`))

const namespaces: DocumentRule = (digest) =>
  digest.prefixesUsed
    .filter((prefix) => !digest.prefixesDeclared.includes(prefix))
    .map((prefix) => problem('namespaces', `prefix "${prefix}:" is used but never declared`))

const matchesModel: ModelRule = (digest, model) => {
  const found: Problem[] = []
  const expectedIds = model.items.map((item) => item.id)
  const ids = digest.items.map((item) => item.id)
  if (ids.length !== expectedIds.length) {
    found.push(problem('item-count', `${ids.length} items, expected ${expectedIds.length}`))
  } else if (ids.some((id, i) => id !== expectedIds[i])) {
    found.push(problem('item-ids', 'item ids differ from the ones meant to be rendered'))
  }
  if (digest.self !== model.links[digest.format]) {
    found.push(
      problem('self-link', `self link "${digest.self}" should be ${model.links[digest.format]}`),
    )
  }
  if (digest.title !== model.title) {
    found.push(problem('feed-title', `title "${digest.title}" should be "${model.title}"`))
  }
  const updated = digest.updated === undefined ? undefined : Date.parse(digest.updated)
  // RSS dates have one-second resolution.
  const expected = Math.floor(model.updated.getTime() / 1000) * 1000
  if (
    digest.format !== 'json' &&
    (updated === undefined || Math.floor(updated / 1000) * 1000 !== expected)
  ) {
    found.push(
      problem(
        'feed-updated',
        `feed date "${digest.updated}" should be ${model.updated.toISOString()}`,
      ),
    )
  }
  return found
}

const explicitMedia: ModelRule = (digest, model) => {
  const declared = new Map(
    model.items
      .flatMap((item) => [...item.enclosures, ...(item.image ? [item.image] : [])])
      .map((m) => [m.url, m]),
  )
  return digest.items.flatMap((item, i) =>
    item.media.flatMap((media) => {
      const meant = media.url === undefined ? undefined : declared.get(media.url)
      if (!meant)
        return [
          problem('media', `item ${i + 1} links media ${media.url} that the model does not have`),
        ]
      if (media.type !== meant.type || media.length !== String(meant.length)) {
        return [
          problem(
            'media',
            `item ${i + 1} media ${media.url} is ${media.type ?? 'untyped'} of ${media.length ?? '?'} bytes, ` +
              `expected ${meant.type} of ${meant.length}`,
          ),
        ]
      }
      return []
    }),
  )
}

// RSS 2.0 requires an enclosure's url, length and type; Atom's link length, Media RSS's type and
// fileSize and JSON Feed's size_in_bytes are optional, so missing there is a best-practice finding
// (which still keeps our own documents from being published: we always know both).
const declaredMedia: DocumentRule = (digest) =>
  digest.items.flatMap((item, i) =>
    item.media
      .filter((m) => !m.type || !MEDIA_TYPE.test(m.type) || !m.length || !/^\d+$/.test(m.length))
      .map((m) =>
        digest.format === 'rss' && m.kind === 'enclosure'
          ? problem(
              'media',
              `item ${i + 1} enclosure ${m.url} needs a media type and a length in bytes (RSS 2.0)`,
            )
          : problem(
              'media-details',
              `item ${i + 1} media ${m.url} should give a media type and a length in bytes`,
            ),
      ),
  )

// RFC 4287 Appendix B: atom:feed holds its metadata and extension elements, then atomEntry*; an
// element after the first entry (a tombstone, say) makes the document invalid against the grammar.
const atomOrder: DocumentRule = (digest) => {
  const order = digest.order ?? []
  const isEntry = (name: string) => name === 'entry' || name === 'atom:entry'
  const first = order.findIndex(isEntry)
  const late = first < 0 ? [] : [...new Set(order.slice(first).filter((n) => !isEntry(n)))]
  return late.map((name) =>
    problem('atom-order', `<${name}> comes after the first <entry>; RFC 4287 puts it before`),
  )
}

// RSS Best Practices Profile (atom:link rel="self"), RFC 4287 §4.2.7.2, JSON Feed's feed_url: a
// document should say where it lives, so that readers can follow it when it moves.
const selfLink: DocumentRule = (digest) =>
  digest.self ? [] : [problem('self-link', 'the feed does not name its own URL (a self link)')]

/**
 * Rules about best practice rather than the format's own requirements: `feedwright validate`
 * reports them as warnings (RSS 2.0 makes guid optional and allows relative links). A build treats
 * every problem alike: our own documents meet them all.
 */
export const WARNING_RULES: ReadonlySet<string> = new Set([
  'item-ids',
  'unique-ids',
  'absolute-urls',
  'self-link',
  'media-details',
])

const DOCUMENT_RULES: readonly DocumentRule[] = [
  selfLink,
  atomOrder,
  requiredElements,
  controlCharacters,
  dateFormats,
  uniqueIds,
  absoluteUrls,
  namespaces,
  declaredMedia,
]

const tombstones: ModelRule = (digest, model) => {
  if (digest.format !== 'atom') return []
  const refs = digest.tombstones.map((t) => t.ref)
  const meant = model.deletions.map((d) => d.id)
  return refs.length === meant.length && refs.every((ref, i) => ref === meant[i])
    ? []
    : [
        problem(
          'tombstones',
          `deleted entries ${refs.join(', ') || '(none)'} should be ${meant.join(', ') || '(none)'}`,
        ),
      ]
}

/** Where each format carries an item's files: RSS one enclosure; Atom and JSON all of them. */
const expectedEnclosures = (format: FeedDigest['format'], item: FeedItem): string[] => {
  switch (format) {
    case 'rss': {
      const first = item.enclosures[0] ?? item.image
      return first ? [first.url] : []
    }
    case 'atom':
      return [...item.enclosures, ...(item.image ? [item.image] : [])].map((m) => m.url)
    case 'json':
      return item.enclosures.map((m) => m.url)
  }
}

/** The model's items by id, the first of each id (as a search from the start would find). */
const itemsById = (model: FeedModel): Map<string, FeedItem> => {
  const byId = new Map<string, FeedItem>()
  for (const item of model.items) if (!byId.has(item.id)) byId.set(item.id, item)
  return byId
}

const completeMedia: ModelRule = (digest, model) => {
  const byId = itemsById(model)
  return digest.items.flatMap((item, i) => {
    // Matched by id: a missing or extra item is the item rules' finding, not this one's.
    const meant = item.id === undefined ? undefined : byId.get(item.id)
    if (!meant) return []
    const found: Problem[] = []
    const enclosures = item.media.filter((m) => m.kind === 'enclosure').map((m) => m.url ?? '')
    const expected = expectedEnclosures(digest.format, meant)
    if (enclosures.join(' ') !== expected.join(' ')) {
      found.push(
        problem(
          'media',
          `item ${i + 1} encloses [${enclosures.join(', ')}], expected [${expected.join(', ')}]`,
        ),
      )
    }
    const mediaRss = item.media.filter((m) => m.kind === 'media').map((m) => m.url)
    if (digest.format !== 'json' && meant.image && !mediaRss.includes(meant.image.url)) {
      found.push(
        problem('media', `item ${i + 1} has no media:content for its image ${meant.image.url}`),
      )
    }
    return found
  })
}

/** The feed-level links a format must carry for the model: history, and the hub. */
const expectedLinks = (format: FeedDigest['format'], model: FeedModel): string[] => {
  const history =
    format === 'json'
      ? [olderItems(model)].filter((u) => u !== undefined).map((href) => `next ${href}`)
      : model.history.map((link) => `${link.rel} ${link.links[format]}`)
  return [...history, ...(model.hub ? [`hub ${model.hub}`] : [])].sort()
}

const historyLinks: ModelRule = (digest, model) => {
  const found: Problem[] = []
  const links = digest.links.map((l) => `${l.rel} ${l.href}`).sort()
  const expected = expectedLinks(digest.format, model)
  if (links.join('\n') !== expected.join('\n')) {
    found.push(
      problem('history-links', `links [${links.join(', ')}] should be [${expected.join(', ')}]`),
    )
  }
  if (digest.format !== 'json' && digest.archive !== model.archive) {
    found.push(
      problem('history-links', model.archive ? 'fh:archive is missing' : 'unexpected fh:archive'),
    )
  }
  return found
}

const MODEL_RULES: readonly ModelRule[] = [
  matchesModel,
  explicitMedia,
  completeMedia,
  tombstones,
  historyLinks,
]

/** Problems in a parsed document of any origin; empty when it passes. */
export const checkDocumentDigest = (digest: FeedDigest, body: string): Problem[] =>
  DOCUMENT_RULES.flatMap((rule) => rule(digest, body))

/** Every problem in a parsed document rendered from `model`; empty when it is publishable. */
export const checkDigest = (digest: FeedDigest, model: FeedModel, body: string): Problem[] => {
  const problems = checkDocumentDigest(digest, body)
  const seen = new Set(problems.map((p) => `${p.rule}:${p.message}`))
  return [
    ...problems,
    ...MODEL_RULES.flatMap((rule) => rule(digest, model)).filter(
      (p) => !seen.has(`${p.rule}:${p.message}`),
    ),
  ]
}
