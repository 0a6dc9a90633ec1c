// Counts and logs each answered request at the Node server, after the response is sent: the feed
// route's hot path stays as it is (Hono's response headers are never read back, see
// ARCHITECTURE.md on conditional GET).
import {
  type IncomingMessage,
  type OutgoingHttpHeader,
  type OutgoingHttpHeaders,
  type Server,
  ServerResponse,
} from 'node:http'
import type { RouteClass } from '../metrics.js'
import { routeClassOf } from '../metrics.js'

export interface ObserveOptions {
  count?: (route: RouteClass, status: number, encoding: string, bytes: number) => void
  /** One access-log line per request, when ACCESS_LOG=true. */
  access?: (fields: {
    method: string
    path: string
    status: number
    bytes: number
    durationMs: number
    encoding: string
  }) => void
}

/**
 * The server's response class, noting what it sends: @hono/node-server hands its headers to
 * `writeHead` directly (`getHeader` cannot see them) and its body to `end`/`write`.
 */
export class ObservedResponse<
  Request extends IncomingMessage = IncomingMessage,
> extends ServerResponse<Request> {
  encoding = 'identity'
  bytes = 0

  override writeHead(
    status: number,
    message?: string | OutgoingHttpHeaders | OutgoingHttpHeader[],
    headers?: OutgoingHttpHeaders | OutgoingHttpHeader[],
  ): this {
    const record = typeof message === 'object' ? message : headers
    if (record !== undefined && !Array.isArray(record)) {
      const coding = record['Content-Encoding'] ?? record['content-encoding']
      if (typeof coding === 'string') this.encoding = coding
    }
    return typeof message === 'string'
      ? super.writeHead(status, message, headers)
      : super.writeHead(status, message)
  }

  override write(chunk: unknown, ...rest: unknown[]): boolean {
    this.bytes += sizeOf(chunk)
    return (super.write as (...args: unknown[]) => boolean)(chunk, ...rest)
  }

  override end(...args: unknown[]): this {
    if (typeof args[0] !== 'function') this.bytes += sizeOf(args[0])
    return (super.end as (...a: unknown[]) => this)(...args)
  }
}

const sizeOf = (chunk: unknown): number =>
  chunk instanceof Uint8Array
    ? chunk.byteLength
    : typeof chunk === 'string'
      ? Buffer.byteLength(chunk)
      : 0

/** Attaches to `server`'s requests; nothing at all when neither counting nor logging. */
export const observeRequests = (server: Server, { count, access }: ObserveOptions): void => {
  if (!count && !access) return
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const started = access ? performance.now() : 0
    res.once('finish', () => {
      const url = req.url ?? '/'
      const query = url.indexOf('?')
      const path = query === -1 ? url : url.slice(0, query)
      const observed = res instanceof ObservedResponse ? res : undefined
      const encoding = observed?.encoding ?? 'identity'
      // A HEAD sends headers only, whatever body it was handed.
      const bytes = req.method === 'HEAD' ? 0 : (observed?.bytes ?? 0)
      count?.(routeClassOf(path), res.statusCode, encoding, bytes)
      access?.({
        method: req.method ?? 'GET',
        path,
        status: res.statusCode,
        bytes,
        durationMs: Math.round((performance.now() - started) * 100) / 100,
        encoding,
      })
    })
  })
}
