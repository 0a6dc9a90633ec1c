// A TCP proxy on 127.0.0.1 in front of a real server (the test PostgreSQL), which a test can cut
// (connections refused), freeze (connections accepted, nothing answered: a stopped server) and
// restore, without touching the server that other tests share.
import { createServer, type Server, type Socket, connect } from 'node:net'
import type { AddressInfo } from 'node:net'

export interface TcpProxy {
  port: number
  /** Drops every connection and stops listening: new connections are refused. */
  cut(): Promise<void>
  /** Keeps connections open but passes no byte either way, old or new. */
  freeze(): void
  /** Listens (on the same port) and passes bytes again; frozen connections are dropped. */
  restore(): Promise<void>
  close(): Promise<void>
}

export const startTcpProxy = async (target: { host: string; port: number }): Promise<TcpProxy> => {
  const sockets = new Set<Socket>()
  let frozen = false
  const track = (socket: Socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    socket.on('error', () => socket.destroy())
  }
  const onConnection = (client: Socket) => {
    track(client)
    if (frozen) return // accepted, never answered
    const upstream = connect(target.port, target.host)
    track(upstream)
    const relay = (from: Socket, to: Socket) =>
      from.on('data', (chunk: Buffer) => {
        if (!frozen) to.write(chunk)
      })
    relay(client, upstream)
    relay(upstream, client)
    client.on('close', () => upstream.destroy())
    upstream.on('close', () => client.destroy())
  }
  let server: Server = createServer(onConnection)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  const dropAll = () => {
    for (const socket of sockets) socket.destroy()
  }
  const stop = () =>
    new Promise<void>((resolve) => {
      dropAll()
      server.close(() => resolve())
    })
  return {
    port,
    cut: stop,
    freeze: () => {
      frozen = true
    },
    restore: async () => {
      if (frozen) {
        frozen = false
        dropAll()
      }
      if (server.listening) return
      server = createServer(onConnection)
      await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve))
    },
    close: async () => {
      if (server.listening) await stop()
      dropAll()
    },
  }
}
