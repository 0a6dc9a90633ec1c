// The id_scheme row both adapters keep, and its mapping to an IdScheme.
import type { IdScheme } from './build-log.js'

/** kind 'tag': authority and date; kind 'url': authority is the base URL, NULL until recorded. */
export interface IdSchemeRow {
  kind: string
  authority: string | null
  date: string | null
}

export const toIdSchemeRow = (ids: IdScheme): IdSchemeRow =>
  ids.kind === 'tag'
    ? { kind: 'tag', authority: ids.authority, date: ids.date }
    : { kind: 'url', authority: ids.base, date: null }

/** The scheme a row records, or undefined for a legacy mark whose base is not recorded yet. */
export const fromIdSchemeRow = (row: IdSchemeRow): IdScheme | undefined =>
  row.authority === null
    ? undefined
    : row.kind === 'tag'
      ? { kind: 'tag', authority: row.authority, date: row.date ?? '' }
      : { kind: 'url', base: row.authority }

/** Which proposal to record over a row (or no row); undefined when the row already decides. */
export const idSchemeToRecord = (
  row: IdSchemeRow | undefined,
  proposal: { fresh: IdScheme; legacy: IdScheme },
): IdScheme | undefined =>
  row === undefined ? proposal.fresh : row.authority === null ? proposal.legacy : undefined
