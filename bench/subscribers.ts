// Child process for the WebSub benchmark: `count` subscriber servers on ephemeral ports that echo
// verification challenges and count deliveries (checking each signature), so the hub in the
// parent has a core of its own. Each listens on a loopback address of its own (127.0.0.1, .2, …):
// the hub treats each as another callback host, as real subscribers are.
import { createHmac } from 'node:crypto'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'

const count = Number(process.argv[2] ?? 100)
const secret = process.argv[3] ?? ''
let delivered = 0
let badSignatures = 0

/** The n-th loopback address (n from 0): 127.0.0.1 … 127.0.0.254, 127.0.1.1 … */
const loopback = (n: number): string => `127.0.${Math.floor(n / 254)}.${(n % 254) + 1}`

const callbacks = await Promise.all(
  Array.from(
    { length: count },
    (_, n) =>
      new Promise<string>((resolve) => {
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
        const host = loopback(n)
        server.listen(0, host, () =>
          resolve(`http://${host}:${(server.address() as AddressInfo).port}/cb`),
        )
      }),
  ),
)
process.send!({ callbacks })
process.on('message', () => process.send!({ delivered, badSignatures }))
