// Counts and logs each answered request at the Node server, as its response ends: the feed route's
// hot path stays as it is (Hono's response headers are never read back, see ARCHITECTURE.md on
// conditional GET), and no listener or closure is added per request.
import {
  type IncomingMessage,
  type OutgoingHttpHeader,
  type OutgoingHttpHeaders,
  ServerResponse,
} from 'node:http'
import { type RouteClass, routeClassOf } from '../metrics.js'

/** One answered request, as the access log writes it. */
export interface AccessFields {
  method: string
  path: string
  status: number
  bytes: number
  durationMs: number
  encoding: string
}

export interface ObserveOptions {
  count?: (route: RouteClass, status: number, encoding: string, bytes: number) => void
  /** One access-log line per request, when ACCESS_LOG=true. */
  access?: (fields: AccessFields) => void
}

const sizeOf = (chunk: unknown): number =>
  chunk instanceof Uint8Array
    ? chunk.byteLength
    : typeof chunk === 'string'
      ? Buffer.byteLength(chunk)
      : 0

const pathOf = (url: string | undefined = '/'): string => {
  const query = url.indexOf('?')
  return query === -1 ? url : url.slice(0, query)
}

/**
 * The response class for the server (`serverOptions.ServerResponse`): it notes what is sent, as
 * @hono/node-server hands its headers to `writeHead` (where `getHeader` cannot see them) and its
 * body to `write`/`end`, and reports once when the response ends. Node's own class when there is
 * nothing to observe.
 */
export const observedResponse = ({ count, access }: ObserveOptions): typeof ServerResponse => {
  if (!count && !access) return ServerResponse
  return class ObservedResponse<
    Request extends IncomingMessage = IncomingMessage,
  > extends ServerResponse<Request> {
    #encoding = 'identity'
    #bytes = 0
    #reported = false
    readonly #started = access ? performance.now() : 0

    override writeHead(
      status: number,
      message?: string | OutgoingHttpHeaders | OutgoingHttpHeader[],
      headers?: OutgoingHttpHeaders | OutgoingHttpHeader[],
    ): this {
      const record = typeof message === 'object' ? message : headers
      if (record !== undefined && !Array.isArray(record)) {
        const coding = record['Content-Encoding'] ?? record['content-encoding']
        if (typeof coding === 'string') this.#encoding = coding
      }
      return typeof message === 'string'
        ? super.writeHead(status, message, headers)
        : super.writeHead(status, message)
    }

    override write(chunk: unknown, ...rest: unknown[]): boolean {
      this.#bytes += sizeOf(chunk)
      return (super.write as (...args: unknown[]) => boolean)(chunk, ...rest)
    }

    // Explicit parameters, not rest ones: this runs for every request.
    override end(chunk?: unknown, encoding?: unknown, callback?: unknown): this {
      if (typeof chunk !== 'function') this.#bytes += sizeOf(chunk)
      const result = (super.end as (a: unknown, b: unknown, c: unknown) => this)(
        chunk,
        encoding,
        callback,
      )
      if (!this.#reported) {
        this.#reported = true
        const { req } = this
        // A HEAD sends headers only, whatever body it was handed.
        const bytes = req.method === 'HEAD' ? 0 : this.#bytes
        const path = pathOf(req.url)
        count?.(routeClassOf(path), this.statusCode, this.#encoding, bytes)
        access?.({
          method: req.method ?? 'GET',
          path,
          status: this.statusCode,
          bytes,
          durationMs: Math.round((performance.now() - this.#started) * 100) / 100,
          encoding: this.#encoding,
        })
      }
      return result
    }
  }
}
