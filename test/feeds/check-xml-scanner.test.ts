import { readdirSync, readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { SaxesParser } from 'saxes'
import { describe, expect, it } from 'vitest'
import { buildCatalog } from '../../src/feeds/catalog.js'
import { toFeedModel } from '../../src/feeds/model.js'
import { RENDERERS } from '../../src/feeds/render/index.js'
import { scanXml } from '../../src/feeds/check/xml-scanner.js'
import { fixtureArticles, IDS, SITE } from '../helpers/fixtures.js'

const NOTHING = { open() {}, text() {}, close() {} }

/** The scanner's verdict: "ok" or its error. */
const scanned = (xml: string): string => {
  try {
    scanXml(xml, NOTHING)
    return 'ok'
  } catch (error) {
    return String(error)
  }
}

/** saxes' verdict (a strict, conformant XML 1.0 parser, namespaces aside as in the check). */
const saxes = (xml: string): string => {
  try {
    new SaxesParser({ xmlns: false }).write(xml).close()
    return 'ok'
  } catch (error) {
    return String(error)
  }
}

// Markup pieces a broken document might hold; control characters and lone surrogates aside (the
// check's control-characters rule reports the first, and saxes misses some of the second).
const PIECES = ['<', '>', '&', ';', '"', "'", '/', '=', '!', '?', '-', '[', ']', ' ', '\n', 'x']
  .concat(['<a>', '</a>', '<a/>', '&amp;', '&x;', '&#65;', '&#x0;', '<!--', '-->', '--', ']]>'])
  .concat(['<![CDATA[', '?>', '<?pi x?>', '<?xml version="1.0"?>', ' a="1"', 'é', '<!DOCTYPE x>'])

/** A deterministic sequence, so that a failure can be replayed. */
const numbers = (seed: number) => {
  let state = seed
  return (below: number) => {
    state = (state * 1103515245 + 12345) & 0x7fffffff
    return state % below
  }
}

const mutate = (doc: string, next: (below: number) => number): string => {
  let text = doc
  for (let k = 0; k <= next(2); k += 1) {
    const at = next(text.length)
    const piece = PIECES[next(PIECES.length)]!
    const op = next(3)
    if (op === 0) text = text.slice(0, at) + text.slice(at + 1 + next(3))
    else if (op === 1) text = text.slice(0, at) + piece + text.slice(at)
    else text = text.slice(0, at) + piece + text.slice(at + 1)
  }
  return text
}

const documents = async (): Promise<string[]> => {
  const articles = (await fixtureArticles()).slice(0, 3)
  const [site] = buildCatalog(SITE, [])
  const model = toFeedModel({ site: SITE, ids: IDS, definition: site!, articles })
  const dir = resolve('fixtures/import')
  const fixtures = readdirSync(dir)
    .filter((f) => f.endsWith('.xml') && !/euc-kr|1251/.test(f))
    .map((f) => readFileSync(resolve(dir, f), 'utf8'))
  return [RENDERERS.rss(model), RENDERERS.atom(model), ...fixtures]
}

describe('XML scanner, against saxes', () => {
  it('agrees with saxes on thousands of broken copies of real feeds, and is stricter on DOCTYPEs', async () => {
    const next = numbers(12)
    let refused = 0
    for (const doc of await documents()) {
      expect(scanned(doc)).toBe('ok')
      for (let i = 0; i < 600; i += 1) {
        const broken = mutate(doc, next)
        const [ours, theirs] = [scanned(broken), saxes(broken)]
        if (theirs !== 'ok') expect(ours, broken).not.toBe('ok')
        // saxes skips a DOCTYPE's contents: a malformed public id or keyword is refused here only.
        if (ours !== 'ok' && theirs === 'ok') expect(ours).toContain('DOCTYPE')
        if (ours !== 'ok') refused += 1
      }
    }
    expect(refused).toBeGreaterThan(1000)
  })
})
