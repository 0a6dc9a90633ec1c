import { describe, expect, it } from 'vitest'
import { cleanHtml, sanitizeArticleHtml } from '../../src/articles/sanitize.js'
import { readForeignFeed } from '../../src/import/feed-entries.js'
import { mapFeed } from '../../src/import/import-feed.js'

const BASE = 'https://news.example.org/science/story'

describe('article HTML sanitising', () => {
  it('keeps what a news article needs', () => {
    const article =
      '<h2>Launch</h2><p lang="ur" dir="rtl">خبر</p>' +
      '<figure><img src="https://cdn.example.org/a.jpg" alt="The pad" width="640" height="360" loading="lazy" />' +
      '<figcaption>The pad at dawn</figcaption></figure>' +
      '<p><a href="https://example.org/report" hreflang="en">the report</a>, <em>quoted</em>, <strong>bold</strong></p>' +
      '<blockquote cite="https://example.org/q"><p>Quote</p></blockquote>' +
      '<table><caption>Budget</caption><thead><tr><th scope="col">Year</th></tr></thead>' +
      '<tbody><tr><td colspan="2">2026</td></tr></tbody></table>' +
      '<video src="https://cdn.example.org/v.mp4" poster="https://cdn.example.org/p.jpg" controls></video>' +
      '<audio src="https://cdn.example.org/a.mp3" controls></audio>' +
      '<iframe src="https://www.youtube-nocookie.com/embed/abc" width="560" height="315" allowfullscreen></iframe>' +
      '<ul><li>one</li></ul><pre><code>x &lt; y</code></pre><p>a<sub>2</sub> <time datetime="2026-11-29">today</time></p>'
    expect(sanitizeArticleHtml(article)).toBe(article)
  })

  it('strips script, event handlers, javascript: links, foreign iframes, forms and styles', () => {
    const dirty =
      '<p onclick="steal()" style="position:fixed">Text<script>alert(1)</script></p>' +
      '<a href="javascript:alert(1)">js</a><a href="  JaVaScRiPt:alert(1)">js2</a>' +
      '<a href="java&#x73;cript:alert(1)">js3</a>' +
      '<img src="https://cdn.example.org/a.jpg" onerror="x()" />' +
      '<img src="data:image/svg+xml;base64,PHN2Zz4=" />' +
      '<iframe src="https://evil.example/frame"></iframe>' +
      '<iframe src="http://www.youtube.com/embed/abc"></iframe>' +
      '<form action="https://evil.example/"><input name="password" /></form>' +
      '<style>body{display:none}</style><svg><script>1</script></svg><object data="x"></object>'
    const clean = sanitizeArticleHtml(dirty)
    expect(clean).toBe(
      '<p>Text</p><a>js</a><a>js2</a><a>js3</a><img src="https://cdn.example.org/a.jpg" />',
    )
  })

  it('drops DOCTYPE and other declarations, keeping the text around them', () => {
    expect(
      sanitizeArticleHtml('<!DOCTYPE html><!ENTITY x "y"><p>a</p><!-- c --><![CDATA[ z ]]>'),
    ).toBe('<p>a</p>')
    expect(sanitizeArticleHtml('<p>Write &lt;!ENTITY x "y"&gt; in a DTD</p>')).toBe(
      '<p>Write &lt;!ENTITY x "y"&gt; in a DTD</p>',
    )
  })

  it('is idempotent, and makes stored HTML safe for XML and CDATA', () => {
    const once = cleanHtml(
      '<p>a&#1;b ]]> c</p><img src="/rel.png"><a href="//cdn.example.org/x">p</a>',
      BASE,
    )
    expect(once).toBe(
      '<p>ab ]]&gt; c</p><img src="https://news.example.org/rel.png" /><a href="https://cdn.example.org/x">p</a>',
    )
    expect(cleanHtml(once, BASE)).toBe(once)
  })

  it('sanitises imported entries as it does API writes', () => {
    const rss = `<?xml version="1.0"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>
<title>Third party</title><link>https://third.example.org/</link><description>d</description>
<item><title>Hostile</title><link>https://third.example.org/1</link><guid>https://third.example.org/1</guid>
<pubDate>Sat, 28 Nov 2026 10:00:00 GMT</pubDate>
<content:encoded><![CDATA[<!DOCTYPE html><p onmouseover="x()">Hi<script>alert(1)</script></p><iframe src="https://evil.example/"></iframe><a href="javascript:alert(1)">go</a><p>Write <!ENTITY x "y"> in a DTD</p>]]></content:encoded>
</item></channel></rss>`
    const { articles } = mapFeed(readForeignFeed(rss))
    expect(articles[0]?.contentHtml).toBe('<p>Hi</p><a>go</a><p>Write  in a DTD</p>')
  })
})
