// The one schema of an http(s) URL, for the configuration, articles and WebSub requests alike.
import * as v from 'valibot'

const isUrl = (value: string): boolean => URL.canParse(value)

/**
 * An absolute URL with the http or https scheme written out (`http://`), as given: each caller
 * adds what it needs (trimming, a length cap, a normal form). One message per mistake: no URL at
 * all, or a URL of another scheme.
 */
export const httpUrl = v.pipe(
  v.string(),
  v.check(isUrl, 'must be an absolute URL'),
  v.check((value) => !isUrl(value) || /^https?:\/\//i.test(value), 'must be an http(s) URL'),
)

/** True for absolute http(s) URLs: the only ones a feed reader can follow. */
export const isHttpUrl = (value: string): boolean => {
  try {
    const { protocol } = new URL(value)
    return protocol === 'http:' || protocol === 'https:'
  } catch {
    return false
  }
}
