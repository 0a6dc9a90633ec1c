// Keeps process.nextTick fast in a long-running server (Node 20). Each nextTick makes a "tick
// object" from an object literal with symbol keys. When no tick object is alive, a full garbage
// collection frees the hidden classes (maps) V8 made for them; the literal's inline cache then sees
// new ones after each such collection, turns megamorphic for good, and every later nextTick (about
// seven per HTTP request: a stream's end, a write, a destroy) goes through the V8 runtime, 3–4×
// slower. In a service process (builds, a worker's snapshot: many full collections) callgrind
// counted that as a quarter of a 304's instructions. Holding one tick object keeps its maps alive.
import { createHook } from 'node:async_hooks'

let kept: object | undefined

/**
 * Holds one tick object for the life of the process; call it early, before the first full
 * collection (once the cache is megamorphic, it stays so). Idempotent.
 */
export const keepTickObjectMaps = (): void => {
  if (kept !== undefined) return
  // An init hook sees the tick object itself as the resource; it runs synchronously within
  // nextTick, and is disabled again before anything else runs.
  const hook = createHook({
    init(_id, type, _trigger, resource) {
      if (type === 'TickObject' && kept === undefined) kept = resource as object
    },
  }).enable()
  try {
    process.nextTick(() => undefined)
  } finally {
    hook.disable()
  }
}

/** The tick object held, if any (for the tests: that this Node still makes them as assumed). */
export const keptTickObject = (): object | undefined => kept
