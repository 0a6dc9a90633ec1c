// The admin API as the tests call it: the bearer token, JSON bodies, and an article to write.

/** The admin token the tests start their services with. */
export const ADMIN_TOKEN = 'test-token-0123456789abcdef'

/** Calls to the admin API of one service. */
export interface AdminApi {
  /**
   * Any call: a body goes as JSON with its Content-Type (a string as it is, for tests of broken
   * JSON); `headers` add to or replace the token and Content-Type.
   */
  call(
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<Response>
  post(path: string, body: unknown): Promise<Response>
  put(path: string, body: unknown): Promise<Response>
  /** A JSON merge patch (RFC 7396), with its own media type. */
  patch(path: string, body: unknown): Promise<Response>
}

/**
 * The admin API of the service at `base`: its URL, or a getter asked at each call (a service that
 * `useService` starts exists only inside tests).
 */
export const adminApi = (base: string | (() => string), token = ADMIN_TOKEN): AdminApi => {
  const url = typeof base === 'string' ? () => base : base
  const call: AdminApi['call'] = (method, path, body, headers = {}) =>
    fetch(`${url()}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body !== undefined && { 'content-type': 'application/json' }),
        ...headers,
      },
      ...(body !== undefined && { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    })
  return {
    call,
    post: (path, body) => call('POST', path, body),
    put: (path, body) => call('PUT', path, body),
    patch: (path, body) =>
      call('PATCH', path, body, { 'content-type': 'application/merge-patch+json' }),
  }
}

/** An article as the tests send it to the API; `extra` adds fields or replaces them. */
export const apiArticle = (id: string, extra: Record<string, unknown> = {}) => ({
  id,
  title: `Article ${id}`,
  summary: 'A summary.',
  contentHtml: '<p>Body.</p>',
  url: `https://news.example.org/science/${id}`,
  authors: [{ name: 'API Writer' }],
  publishedAt: '2026-11-28T10:00:00Z',
  ...extra,
})
