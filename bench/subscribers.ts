// Child process for the WebSub benchmark: `count` subscriber servers on ephemeral ports that echo
// verification challenges and count deliveries (checking each signature), so the hub in the
// parent has a core of its own.
import { createHmac } from 'node:crypto'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'

const count = Number(process.argv[2] ?? 100)
const secret = process.argv[3] ?? ''
let delivered = 0
let badSignatures = 0

const ports = await Promise.all(
  Array.from(
    { length: count },
    () =>
      new Promise<number>((resolve) => {
        const server = createServer((request, response) => {
          if (request.method === 'GET') {
            const url = new URL(request.url ?? '/', 'http://x')
            response.end(url.searchParams.get('hub.challenge') ?? '')
            return
          }
          const chunks: Buffer[] = []
          request.on('data', (c: Buffer) => chunks.push(c))
          request.on('end', () => {
            const body = Buffer.concat(chunks)
            const expected = `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`
            if (request.headers['x-hub-signature'] !== expected) badSignatures += 1
            delivered += 1
            response.writeHead(204).end()
          })
        })
        server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port))
      }),
  ),
)
process.send!({ ports })
process.on('message', () => process.send!({ delivered, badSignatures }))
