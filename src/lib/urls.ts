// The one schema of an http(s) URL, for the configuration, articles and WebSub requests alike.
import * as v from 'valibot'

/**
 * An absolute URL with the http or https scheme written out (`http://`), as given: each caller
 * adds what it needs (trimming, a length cap, a normal form). Two checks, so that the message says
 * whether the value is no URL at all or one of another scheme.
 */
export const httpUrl = v.pipe(
  v.string(),
  v.url('must be an absolute URL'),
  v.check((value) => /^https?:\/\//i.test(value), 'must be an http(s) URL'),
)
