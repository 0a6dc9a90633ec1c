// What a person sees, in a real browser: headless Chromium (Debian's package) driven by
// playwright-core, opening the index page and a feed URL; screenshots go to screenshots/.
import { existsSync } from 'node:fs'
import { mkdir } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { type Browser, chromium } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { useService } from '../helpers/service.js'

const CHROMIUM = process.env.FEEDWRIGHT_CHROMIUM ?? '/usr/bin/chromium'
const SCREENSHOTS = resolve(import.meta.dirname, '../../screenshots')
const available = existsSync(CHROMIUM)
if (!available && process.env.FEEDWRIGHT_REQUIRE_CHROMIUM === '1') {
  throw new Error(`FEEDWRIGHT_REQUIRE_CHROMIUM=1 but there is no Chromium at ${CHROMIUM}`)
}
if (!available) {
  console.warn(
    `browser tests skipped: no Chromium at ${CHROMIUM}. Install Debian's chromium and ` +
      'chromium-driver (bash .ci/chromium.sh) or set FEEDWRIGHT_CHROMIUM to a Chromium binary.',
  )
}

// Three articles to a feed page, so the site feed has pages to move between.
const server = useService({ FEED_LIMIT: '3', FEED_PAGES: '5' })
let browser: Browser | undefined

describe.skipIf(!available)('in headless Chromium', () => {
  beforeAll(async () => {
    await mkdir(SCREENSHOTS, { recursive: true })
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      // As the machine's notes say: no background networking, which this closed network refuses.
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    })
  }, 30_000)
  afterAll(async () => {
    await browser?.close()
  })

  const open = async (path: string) => {
    const page = await browser!.newPage({ viewport: { width: 1000, height: 900 } })
    const response = await page.goto(`${server().url}${path}`)
    return { page, response: response! }
  }

  it('shows the index page with every feed to copy and autodiscovery links', async () => {
    const { page } = await open('/')
    expect(await page.title()).toBe('Example Science: feeds')
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe(
      'Example Science',
    )
    expect(await page.locator('link[rel="alternate"]').count()).toBe(3)
    expect(await page.getByRole('link', { name: 'Atom 1.0' }).count()).toBeGreaterThan(10)
    expect(await page.getByText('Latest articles').isVisible()).toBe(true)
    await page.screenshot({ path: join(SCREENSHOTS, 'index.png'), fullPage: true })
    await page.close()
  })

  it('shows a readable page at a feed URL, not XML and not a download', async () => {
    const { page, response } = await open('/feeds/categories/space/rss.xml')
    expect(response.headers()['content-type']).toBe('text/html; charset=utf-8')
    expect(await page.title()).toBe('Example Science: Space')
    expect(await page.getByRole('heading', { name: 'This is a web feed' }).isVisible()).toBe(true)
    const urls = await page
      .locator('input')
      .evaluateAll((inputs) => inputs.map((i) => i.getAttribute('value')))
    expect(urls).toEqual([
      'https://news.example.org/feeds/categories/space/rss.xml',
      'https://news.example.org/feeds/categories/space/atom.xml',
      'https://news.example.org/feeds/categories/space/feed.json',
    ])
    const titles = await page.locator('main li h3').allTextContents()
    expect(titles[0]).toBe('Pakistan, China to jointly establish space science centre')
    expect(titles).toHaveLength(3)
    // Chromium's XML viewer or XSLT banner would show this; a page for people does not.
    expect(await page.locator('xslt-warning-banner').count()).toBe(0)
    expect(await page.content()).not.toContain('<rss')
    await page.screenshot({ path: join(SCREENSHOTS, 'feed-space-rss.png'), fullPage: true })
    await page.close()
    // A feed reader asking for the same URL still gets RSS.
    const reader = await fetch(`${server().url}/feeds/categories/space/rss.xml`)
    expect(await reader.text()).toMatch(/^<\?xml[^>]*>\s*<rss version="2.0"/)
  })

  it('moves to older items through the RFC 5005 links of the page', async () => {
    const { page } = await open('/feeds/atom.xml')
    const first = await page.locator('main li h3').allTextContents()
    await page.getByRole('link', { name: 'Older →' }).click()
    await page.waitForURL('**/feeds/stable/2/')
    const second = await page.locator('main li h3').allTextContents()
    expect(second).toHaveLength(3)
    expect(second.some((t) => first.includes(t))).toBe(false)
    // An older page offers the feed itself to subscribe to, not the page.
    expect(
      await page.getByRole('heading', { name: 'This is an older page of a web feed' }).isVisible(),
    ).toBe(true)
    expect(await page.locator('input').first().getAttribute('value')).toBe(
      'https://news.example.org/feeds/rss.xml',
    )
    await page.screenshot({ path: join(SCREENSHOTS, 'feed-site-page-2.png'), fullPage: true })
    await page.close()
  })
})
