import { request } from 'node:http'
import { brotliDecompressSync, gunzipSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { useService } from '../helpers/service.js'

const server = useService()

/** A raw GET (node:http does not decode), so the test sees the bytes on the wire. */
const raw = (path: string, headers: Record<string, string> = {}) =>
  new Promise<{
    status: number
    headers: Record<string, string | string[] | undefined>
    body: Buffer
  }>((done, fail) => {
    const req = request(`${server().url}${path}`, { headers }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('end', () =>
        done({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }),
      )
    })
    req.on('error', fail)
    req.end()
  })

describe('compression done at publish time', () => {
  it('serves gzip and brotli that decode to the identity bytes, each with its own ETag', async () => {
    const identity = await raw('/feeds/atom.xml')
    const gz = await raw('/feeds/atom.xml', { 'accept-encoding': 'gzip' })
    const br = await raw('/feeds/atom.xml', { 'accept-encoding': 'gzip, br' })
    expect(identity.headers['content-encoding']).toBeUndefined()
    expect(gz.headers['content-encoding']).toBe('gzip')
    expect(br.headers['content-encoding']).toBe('br')
    expect(gunzipSync(gz.body)).toEqual(identity.body)
    expect(brotliDecompressSync(br.body)).toEqual(identity.body)
    expect(br.body.length).toBeLessThan(identity.body.length / 3)
    const etags = [identity, gz, br].map((r) => r.headers.etag)
    expect(new Set(etags).size).toBe(3)
    for (const r of [identity, gz, br])
      expect(r.headers.vary).toBe('Accept-Encoding, Sec-Fetch-Dest')
  })

  it('answers 304 for every encoding, only to the ETag of that encoding', async () => {
    for (const encoding of ['identity', 'gzip', 'br']) {
      const first = await raw('/feeds/rss.xml', { 'accept-encoding': encoding })
      const again = await raw('/feeds/rss.xml', {
        'accept-encoding': encoding,
        'if-none-match': String(first.headers.etag),
      })
      expect(again.status).toBe(304)
      expect(again.headers.vary).toBe('Accept-Encoding, Sec-Fetch-Dest')
      expect(again.body.length).toBe(0)
    }
    const identity = await raw('/feeds/rss.xml')
    const other = await raw('/feeds/rss.xml', {
      'accept-encoding': 'br',
      'if-none-match': String(identity.headers.etag),
    })
    expect(other.status).toBe(200)
  })
})
