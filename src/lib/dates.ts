// Date formats the feed formats require, computed from Date values only (no clock).

/** RFC 3339 date-time in UTC as Atom and JSON Feed require. */
export const toRfc3339 = (date: Date): string => date.toISOString()

/** Drops milliseconds: HTTP dates (RFC 9110 §5.6.7) have one-second resolution. */
export const toWholeSeconds = (date: Date): Date =>
  new Date(Math.floor(date.getTime() / 1000) * 1000)

/** The later of two ISO timestamps (lexical order is time order for canonical UTC ISO strings). */
export const laterOf = (a: string | undefined, b: string | undefined): string | undefined =>
  a === undefined ? b : b === undefined ? a : a > b ? a : b
