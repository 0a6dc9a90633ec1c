// One bad item never freezes a feed: which items to leave out of a document that fails its check.
import type { Problem } from '../feeds/check/index.js'

/** What rendering and checking a document with some items gave: its texts, or its problems. */
export type Attempt<Texts> = { texts: Texts } | { problems: Problem[] }

export interface Salvaged<Item, Texts> {
  /** The items the document keeps, in their order. */
  kept: Item[]
  /** Each item left out, with what the document holding it alone failed on. */
  left: Array<{ item: Item; problems: Problem[] }>
  /** The passing attempt with `kept`. */
  attempt: { texts: Texts }
}

/**
 * The items to leave out of a document that failed its check: those that make it fail on their
 * own. Undefined when the fault is not an item's — the document fails with no items at all (its
 * title, links, tombstones), or no single item fails, or the rest still fails — for then no item
 * can be blamed and the document is not published (the last good one stays served). Costs one
 * attempt per item, and is only called after a failure; it yields to the event loop between
 * attempts, so that a large document (an archive month) does not hold up requests meanwhile.
 */
export const salvage = async <Item, Texts>(
  items: readonly Item[],
  attempt: (items: readonly Item[]) => Attempt<Texts>,
): Promise<Salvaged<Item, Texts> | undefined> => {
  if ('problems' in attempt([])) return undefined
  const left: Array<{ item: Item; problems: Problem[] }> = []
  for (const item of items) {
    await new Promise((resolve) => setImmediate(resolve))
    const alone = attempt([item])
    if ('problems' in alone) left.push({ item, problems: alone.problems })
  }
  if (left.length === 0) return undefined
  const out = new Set(left.map((l) => l.item))
  const kept = items.filter((item) => !out.has(item))
  const rest = attempt(kept)
  return 'problems' in rest ? undefined : { kept, left, attempt: rest }
}
