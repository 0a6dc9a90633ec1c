// What every store contract suite runs on: a fresh store per test, closed and removed after it.
import { afterEach, beforeEach } from 'vitest'
import type { Store } from '../../src/store/store.js'

/** Opens a fresh, empty store of one adapter; `cleanup` removes what it left (file, schema). */
export type OpenStore = () => Promise<{ store: Store; cleanup: () => Promise<void> }>

/** Opens a store before each test of the suite and closes it after; returns the current one. */
export const useStore = (open: OpenStore): (() => Store) => {
  let store: Store | undefined
  let cleanup: () => Promise<void>
  beforeEach(async () => {
    ;({ store, cleanup } = await open())
  })
  afterEach(async () => {
    await store?.close()
    await cleanup()
  })
  return () => store!
}
