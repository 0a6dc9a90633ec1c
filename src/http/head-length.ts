// HEAD answers with the Content-Length a GET would have (RFC 9110 §9.3.2). Hono answers HEAD from
// the GET route and drops the body, and with a computed body (JSON, problems) the length goes too.
import { ServerResponse } from 'node:http'

type Fetch<Rest extends unknown[]> = (
  request: Request,
  ...rest: Rest
) => Response | Promise<Response>

/** A HEAD served as a GET, whose length (said by the route, or counted) goes with no body. */
const headAnswer = async <Rest extends unknown[]>(
  fetch: Fetch<Rest>,
  request: Request,
  rest: Rest,
): Promise<Response> => {
  const get = await fetch(new Request(request, { method: 'GET' }), ...rest)
  const headers = new Headers(get.headers)
  if (!headers.has('content-length') && get.body) {
    headers.set('content-length', String((await get.arrayBuffer()).byteLength))
  } else {
    await get.body?.cancel()
  }
  return new Response(null, { status: get.status, statusText: get.statusText, headers })
}

/**
 * The request, now read as a GET, for a server that drops a HEAD answer's body itself: Node's
 * `ServerResponse` sends no body for a HEAD and keeps the Content-Length the answer has or that
 * @hono/node-server counts for it. The request of @hono/node-server is a plain object whose
 * `method` is a getter: an own property shadows it. Neither `new Request` (the whole Fetch
 * request built again) nor `Object.create(request)` (V8 turns each request into a prototype) is
 * cheap enough for every HEAD.
 */
const asGet = (request: Request): Request =>
  Object.defineProperty(request, 'method', { value: 'GET', enumerable: true })

const servedByNode = (rest: unknown[]): boolean =>
  (rest[0] as { outgoing?: unknown } | undefined)?.outgoing instanceof ServerResponse

/**
 * Wraps the app's fetch for HEAD. Not async: other methods pass straight through, and an answer
 * from memory still goes out without a promise in between. Under Node's HTTP server a HEAD is
 * routed as the GET it mirrors, and Node leaves the body out; elsewhere the GET's answer is
 * copied without its body.
 */
export const headWithLength = <Rest extends unknown[]>(fetch: Fetch<Rest>) =>
  function headWithLength(request: Request, ...rest: Rest): Response | Promise<Response> {
    if (request.method !== 'HEAD') return fetch(request, ...rest)
    return servedByNode(rest) ? fetch(asGet(request), ...rest) : headAnswer(fetch, request, rest)
  }
