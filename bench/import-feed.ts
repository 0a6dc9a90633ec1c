// A synthetic RSS 2.0 feed of N items, for measuring `feedwright import` at scale.

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
