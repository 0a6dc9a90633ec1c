// POST /websub on the real server: a rate limit per client address (429 with Retry-After).
import { describe, expect, it } from 'vitest'
import { useService } from '../helpers/service.js'
import { hubRequest as request } from '../helpers/subscriber.js'

const server = useService(
  { TRUST_PROXY: 'true' },
  { websub: { requestsPerMinute: 3, allowPrivateCallbacks: true } },
)

// Refused as a request (unknown topic): each one still counts against the limit.
const hubRequest = (client: string) =>
  request(
    server().url,
    {
      'hub.mode': 'subscribe',
      'hub.callback': 'http://127.0.0.1:9/cb',
      'hub.topic': 'https://news.example.org/feeds/nothing.xml',
    },
    { 'x-forwarded-for': client },
  )

describe('POST /websub rate limit', () => {
  it('answers 429 with Retry-After beyond the requests a client may send per minute', async () => {
    const statuses = []
    for (let i = 0; i < 3; i += 1) statuses.push((await hubRequest('203.0.113.7')).status)
    expect(statuses).toEqual([400, 400, 400])
    const limited = await hubRequest('203.0.113.7')
    expect(limited.status).toBe(429)
    // One request more is allowed every 20 s (3 per minute).
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(19)
    expect(Number(limited.headers.get('retry-after'))).toBeLessThanOrEqual(20)
    expect(await limited.json()).toMatchObject({ status: 429, title: 'Too Many Requests' })
    // Another client is not limited by the first one's requests.
    expect((await hubRequest('198.51.100.9')).status).toBe(400)
  })
})
