// What the HTML sanitiser removes from imported content is reported as a loss, once per kind with
// the items concerned, and content it keeps whole reports nothing.
import { describe, expect, it } from 'vitest'
import { readForeignFeed } from '../../src/import/feed-entries.js'
import { mapFeed } from '../../src/import/import-feed.js'
import { sanitiserLosses } from '../../src/import/html-losses.js'

const feedOf = (bodies: string[]) =>
  readForeignFeed(`<?xml version="1.0"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>
<title>Third party</title><link>https://third.example.org/</link>
${bodies
  .map(
    (body, i) =>
      `<item><title>Item ${i + 1}</title><link>https://third.example.org/${i + 1}</link>` +
      `<guid>item-${i + 1}</guid><pubDate>Sat, 28 Nov 2026 10:00:00 GMT</pubDate>` +
      `<content:encoded><![CDATA[${body}]]></content:encoded></item>`,
  )
  .join('\n')}
</channel></rss>`)

const REMOVED = (kind: string) => `content HTML ${kind}: removed by the sanitiser`

describe('sanitiser losses on import', () => {
  it('counts each kind of removed markup once per item, naming the items', () => {
    const { lost, articles } = mapFeed(
      feedOf([
        '<p onclick="x()" class="lead">Hi<script>alert(1)</script></p><a href="javascript:alert(1)">go</a>',
        '<p onmouseover="y()">Two</p><iframe src="https://evil.example/"></iframe><font>kept text</font>',
        '<!DOCTYPE html><p>Three <img src="data:image/png;base64,AAAA"></p><style>p{}</style>',
      ]),
    )
    expect(articles).toHaveLength(3)
    expect(lost).toEqual([
      { kind: REMOVED('on* event attribute'), count: 2, examples: ['#1 item-1', '#2 item-2'] },
      { kind: REMOVED('class attribute'), count: 1, examples: ['#1 item-1'] },
      { kind: REMOVED('<script> element and its text'), count: 1, examples: ['#1 item-1'] },
      { kind: REMOVED('javascript: URL (a href)'), count: 1, examples: ['#1 item-1'] },
      {
        kind: REMOVED('<iframe> that is not an allowed player over https'),
        count: 1,
        examples: ['#2 item-2'],
      },
      { kind: REMOVED('<font> element (text kept)'), count: 1, examples: ['#2 item-2'] },
      {
        kind: REMOVED('<img> whose src is not an http(s) URL'),
        count: 1,
        examples: ['#3 item-3'],
      },
      { kind: REMOVED('<style> element and its text'), count: 1, examples: ['#3 item-3'] },
      {
        kind: REMOVED('declaration (<!DOCTYPE …>, <!ENTITY …>)'),
        count: 1,
        examples: ['#3 item-3'],
      },
    ])
  })

  it('reports nothing for content kept whole, however it is written', () => {
    const { lost } = mapFeed(
      feedOf([
        '<p>Relative <a href="/x/1">link</a>, a break<br>and an &amp; entity.</p>',
        "<figure><img src='https://third.example.org/a.jpg' alt='A'/><figcaption>A</figcaption></figure>",
        '<p><iframe src="https://www.youtube-nocookie.com/embed/x"></iframe></p>',
      ]),
    )
    expect(lost).toEqual([])
  })

  it('matches tags in order, so a refused iframe beside an allowed one is the one named', () => {
    const html =
      '<iframe src="https://evil.example/"></iframe><iframe src="https://player.vimeo.com/video/1"></iframe>'
    const [article] = mapFeed(feedOf([html])).articles
    expect(sanitiserLosses(html, article!)).toEqual([
      REMOVED('<iframe> that is not an allowed player over https'),
    ])
  })
})
