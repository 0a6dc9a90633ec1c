// fast-check arbitraries over the whole article input: the ordinary, the odd and the hostile.
import fc from 'fast-check'

/**
 * Run settings for every property test: bounded so the suite stays fast on two cores, and
 * reproducible. A failure prints its seed; `FEEDWRIGHT_PROPERTY_SEED=<seed>` replays that run,
 * `FEEDWRIGHT_PROPERTY_RUNS=<n>` runs more (or fewer) cases.
 */
export const propertyRuns = (runs: number): fc.Parameters<unknown> => {
  const seed = process.env.FEEDWRIGHT_PROPERTY_SEED
  const override = process.env.FEEDWRIGHT_PROPERTY_RUNS
  return {
    numRuns: override ? Number(override) : runs,
    ...(seed && { seed: Number(seed) }),
  }
}

// Text that has frozen feeds or could: markup-like, entity-like, CDATA ends, control characters,
// right-to-left and combining marks, names in many scripts, and astral characters.
const ODD = [
  '<!ENTITY x "y">',
  '<!DOCTYPE html>',
  ']]>',
  '<![CDATA[',
  '&amp;',
  '&lt;b&gt;',
  '&#1;',
  '&',
  '<',
  '>',
  '"',
  "'",
  '\u0000',
  '\u0008',
  '\u001f',
  '\u007f',
  '\u0085',
  '\ufffe',
  '\ud800',
  '\r\n',
  '\t',
  '\u200f',
  '\u0301',
  '李明',
  'Иван Петров',
  'محمد',
  'Ελένη',
  'हिन्दी',
  '🚀',
  'R&amp;D',
  'Tom &amp; Jerry',
  ' ',
]

/** Text of every kind, mostly short. */
export const text = (maxParts = 6): fc.Arbitrary<string> =>
  fc
    .array(
      fc.oneof(
        { weight: 3, arbitrary: fc.string({ maxLength: 12 }) },
        { weight: 3, arbitrary: fc.constantFrom(...ODD) },
        { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 8 }) },
        { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 8 }) },
      ),
      { maxLength: maxParts },
    )
    .map((parts) => parts.join(''))

/** A label or a name: mostly something a person would write, sometimes anything. */
const label = fc.oneof(
  {
    weight: 16,
    arbitrary: fc.constantFrom(
      ...['Space', 'Climate', 'R&D', 'R&amp;D', 'Tom &amp; Jerry', 'C++', 'Café Économie'],
      ...['李明', 'Иван Петров', 'محمد', 'Ελένη', 'हिन्दी समाचार', 'Łódź', '2026年', 'ΣΟΦΟΣ'],
    ),
  },
  { weight: 2, arbitrary: text(3) },
  { weight: 1, arbitrary: fc.constantFrom(...ODD) },
)

const HTML = [
  '<p>Body text.</p>',
  '<script>alert(1)</script>',
  '<p onclick="alert(1)">click</p>',
  '<a href="javascript:alert(1)">link</a>',
  '<a href="java&#x73;cript:alert(1)">link</a>',
  '<a href="/relative">relative</a>',
  '<a href="//cdn.example.org/x">protocol-relative</a>',
  '<img src="https://example.org/a.jpg" alt="a" onerror="x()">',
  '<img src="data:image/png;base64,AAAA">',
  '<iframe src="https://www.youtube-nocookie.com/embed/abc"></iframe>',
  '<iframe src="https://evil.example/"></iframe>',
  '<figure><img src="/f.jpg"><figcaption>Caption</figcaption></figure>',
  '<table><tr><th>a</th><td colspan="2">b</td></tr></table>',
  '<!DOCTYPE html>',
  '<!ENTITY x SYSTEM "file:///etc/passwd">',
  '<![CDATA[ x ]]>',
  ']]>',
  '<style>p{}</style>',
  '<svg><script>1</script></svg>',
  '<form action="https://x"><input></form>',
  '&nbsp;&#1;&#xFFFF;&amp;',
  '<!-- comment -->',
  '<p>',
  '</div>',
]

const html = fc
  .array(fc.oneof(fc.constantFrom(...HTML), text(3)), { minLength: 0, maxLength: 8 })
  .map((parts) => `<p>Lead.</p>${parts.join('')}`)

const pad = (n: number, width = 2): string => String(n).padStart(width, '0')

/** RFC 3339-shaped date-times across and beyond what formats can write, and some that are not. */
const timestamp = fc.oneof(
  {
    weight: 12,
    arbitrary: fc
      .record({
        year: fc.oneof(
          { weight: 4, arbitrary: fc.integer({ min: 1990, max: 2030 }) },
          fc.integer({ min: 0, max: 9999 }),
          fc.constantFrom(999, 1000, 9999),
        ),
        month: fc.integer({ min: 1, max: 12 }),
        day: fc.oneof({ weight: 9, arbitrary: fc.integer({ min: 1, max: 28 }) }, fc.constant(31)),
        hour: fc.integer({ min: 0, max: 23 }),
        minute: fc.integer({ min: 0, max: 59 }),
        second: fc.integer({ min: 0, max: 59 }),
        offset: fc.integer({ min: -14 * 60, max: 14 * 60 }),
      })
      .map(({ year, month, day, hour, minute, second, offset }) => {
        const zone =
          offset === 0
            ? 'Z'
            : `${offset < 0 ? '-' : '+'}${pad(Math.floor(Math.abs(offset) / 60))}:${pad(Math.abs(offset) % 60)}`
        return `${pad(year, 4)}-${pad(month)}-${pad(day)}T${pad(hour)}:${pad(minute)}:${pad(second)}${zone}`
      }),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '9999-12-31T23:59:59-01:00',
      '1000-01-01T00:00:00+01:00',
      '0500-06-01T00:00:00Z',
      'yesterday',
      '2026-02-30T10:00:00Z',
    ),
  },
)

const httpUrl = fc.oneof(
  { weight: 12, arbitrary: fc.webUrl({ validSchemes: ['https', 'http'] }) },
  {
    weight: 1,
    arbitrary: fc.constantFrom('/relative', 'ftp://x.example/a', 'javascript:alert(1)'),
  },
)

const author = fc.record(
  {
    name: label,
    email: fc.oneof(
      { weight: 9, arbitrary: fc.stringMatching(/^[a-z][a-z0-9]{0,8}@example\.org$/) },
      fc.constant('not an email'),
    ),
    url: httpUrl,
  },
  { requiredKeys: ['name'] },
)

const media = fc.record(
  {
    url: httpUrl,
    type: fc.oneof(
      { weight: 9, arbitrary: fc.constantFrom('image/jpeg', 'image/png', 'image/svg+xml') },
      fc.constantFrom('audio/mpeg', 'text', 'image/x<y'),
    ),
    length: fc.oneof({ weight: 9, arbitrary: fc.nat() }, fc.constantFrom(-1, 1.5)),
    title: fc.oneof({ weight: 9, arbitrary: text(2).map((t) => `M ${t}`) }, text(2)),
  },
  { requiredKeys: ['url', 'type', 'length'] },
)

/** Article inputs over every field of the schema; many are invalid, many are odd but valid. */
export const articleInput = fc.record(
  {
    id: fc.oneof(
      { weight: 5, arbitrary: fc.stringMatching(/^[a-z0-9]{1,12}(?:-[a-z0-9]{1,8}){0,3}$/) },
      { weight: 1, arbitrary: text(2) },
    ),
    title: fc.oneof({ weight: 9, arbitrary: text().map((t) => `T ${t}`) }, text()),
    summary: fc.oneof({ weight: 9, arbitrary: text().map((t) => `S ${t}`) }, text()),
    contentHtml: html,
    url: httpUrl,
    authors: fc.oneof(
      { weight: 9, arbitrary: fc.array(author, { minLength: 1, maxLength: 3 }) },
      fc.constant([]),
    ),
    publishedAt: timestamp,
    // Mostly unset: two random dates are in the wrong order half the time.
    updatedAt: fc.oneof(
      { weight: 1, arbitrary: timestamp },
      { weight: 4, arbitrary: fc.constant(undefined) },
    ),
    categories: fc.array(label, { maxLength: 3 }),
    tags: fc.array(label, { maxLength: 3 }),
    image: media.map(({ title, ...m }) => ({ ...m, ...(title !== undefined && { alt: title }) })),
    enclosures: fc.array(media, { maxLength: 2 }),
    related: fc.array(fc.record({ title: text(2).map((t) => `R ${t}`), url: httpUrl }), {
      maxLength: 2,
    }),
    language: fc.constantFrom('en', 'zh-Hans', 'ar', 'el', 'hi', 'ru', 'not a language'),
    status: fc.constantFrom('published', 'draft', 'pending'),
  },
  { requiredKeys: ['id', 'title', 'summary', 'contentHtml', 'url', 'authors', 'publishedAt'] },
)
