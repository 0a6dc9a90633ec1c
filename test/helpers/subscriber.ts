// A real WebSub subscriber for tests: an HTTP server on an ephemeral port that answers intent
// verifications and records content deliveries, each way scriptable.
import { createServer, type IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface Delivery {
  path: string
  headers: IncomingMessage['headers']
  body: Buffer
}

export interface Verification {
  path: string
  params: Record<string, string>
}

export type VerifyAnswer = 'echo' | 'wrong-challenge' | 'not-found'

export interface Subscriber {
  /** A callback URL on this server. */
  callback(path: string): string
  verifications: Verification[]
  deliveries: Delivery[]
  /** How the callback at `path` answers verifications (default: echo the challenge). */
  answerVerification(path: string, answer: VerifyAnswer): void
  /** Statuses for the next deliveries to `path`, in order; afterwards 204. */
  answerDeliveries(path: string, statuses: number[]): void
  close(): Promise<void>
}

/** Listens on `host` (any loopback address: 127.0.0.2 is another callback host than 127.0.0.1). */
export const startSubscriber = async (host = '127.0.0.1'): Promise<Subscriber> => {
  const verifications: Verification[] = []
  const deliveries: Delivery[] = []
  const verifyAnswers = new Map<string, VerifyAnswer>()
  const deliveryAnswers = new Map<string, number[]>()
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://subscriber.test')
    if (request.method === 'GET') {
      const params = Object.fromEntries(url.searchParams)
      verifications.push({ path: url.pathname, params })
      const answer = verifyAnswers.get(url.pathname) ?? 'echo'
      if (answer === 'not-found') response.writeHead(404).end()
      else response.end(answer === 'echo' ? params['hub.challenge'] : 'not the challenge')
      return
    }
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => {
      deliveries.push({ path: url.pathname, headers: request.headers, body: Buffer.concat(chunks) })
      const status = deliveryAnswers.get(url.pathname)?.shift() ?? 204
      response.writeHead(status).end()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, host, resolve))
  const { port } = server.address() as AddressInfo
  return {
    callback: (path) => `http://${host}:${port}${path}`,
    verifications,
    deliveries,
    answerVerification: (path, answer) => void verifyAnswers.set(path, answer),
    answerDeliveries: (path, statuses) => void deliveryAnswers.set(path, [...statuses]),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

/**
 * POSTs a WebSub request form to the service at `base` (its hub, POST /websub), as a subscriber
 * does; `headers` add to or replace the form's Content-Type.
 */
export const hubRequest = (
  base: string,
  params: Record<string, string>,
  headers: Record<string, string> = {},
): Promise<Response> =>
  fetch(`${base}/websub`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(params).toString(),
  })
