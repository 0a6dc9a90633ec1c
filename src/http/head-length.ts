// HEAD answers with the Content-Length a GET would have (RFC 9110 §9.3.2). Hono answers HEAD from
// the GET route and drops the body, and with a computed body (JSON, problems) the length goes too.

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
 * Wraps the app's fetch for HEAD. Not async: other methods pass straight through, and an answer
 * from memory still goes out without a promise in between.
 */
export const headWithLength = <Rest extends unknown[]>(fetch: Fetch<Rest>) =>
  function headWithLength(request: Request, ...rest: Rest): Response | Promise<Response> {
    return request.method === 'HEAD' ? headAnswer(fetch, request, rest) : fetch(request, ...rest)
  }
