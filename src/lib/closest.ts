// The known name closest to a mistyped one (config keys, CLI commands), for "did you mean …?".

/** Levenshtein distance, case-insensitive: `Port` is one edit from nothing, `feedlimit` zero. */
const distance = (a: string, b: string): number => {
  const x = a.toLowerCase()
  const y = b.toLowerCase()
  let previous = Array.from({ length: y.length + 1 }, (_, j) => j)
  for (let i = 1; i <= x.length; i += 1) {
    const current = [i]
    for (let j = 1; j <= y.length; j += 1) {
      const substitution = previous[j - 1]! + (x[i - 1] === y[j - 1] ? 0 : 1)
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, substitution)
    }
    previous = current
  }
  return previous[y.length]!
}

/** The closest of `known` to `name`, unless even that one is too far to be a typo of it. */
export const closest = (name: string, known: readonly string[]): string | undefined => {
  let best: { name: string; d: number } | undefined
  for (const candidate of known) {
    const d = distance(name, candidate)
    if (!best || d < best.d) best = { name: candidate, d }
  }
  return best && best.d <= Math.max(2, Math.floor(name.length / 3)) ? best.name : undefined
}
