// An article store that counts the newestFor reads made through it, and the rows each asked for.
import type { ArticleStore } from '../../src/store/store.js'

export const countingReads = (articles: ArticleStore) => {
  const reads = { newestFor: 0, limits: [] as number[] }
  const counted = new Proxy(articles, {
    get: (target, key) => {
      const member: unknown = Reflect.get(target, key)
      if (key !== 'newestFor' || typeof member !== 'function') return member
      return (...args: unknown[]): unknown => {
        reads.newestFor += 1
        reads.limits.push(args[1] as number)
        return member.apply(target, args)
      }
    },
  })
  return { counted, reads }
}
