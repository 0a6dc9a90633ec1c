// Which documents a build makes: the archive months due after a change.
import { describe, expect, it } from 'vitest'
import { archivesDue } from '../../src/builder/documents.js'

describe('archive months due', () => {
  it('rebuilds touched months, and the neighbours of one that appeared or emptied', () => {
    const months = ['2026-01', '2026-03', '2026-05']
    const published = (m: string) => m !== '2026-04'
    // An edit inside an existing month: its links do not change.
    expect([...archivesDue(months, new Set(['month:2026-03']), published)]).toEqual(['2026-03'])
    // 2026-04 (still published) emptied: its old neighbours now link to each other.
    expect([...archivesDue(months, new Set(['month:2026-04']), () => true)].sort()).toEqual([
      '2026-03',
      '2026-05',
    ])
    // 2026-03 is new (not published yet): it and both neighbours.
    const fresh = (m: string) => m !== '2026-03'
    expect([...archivesDue(months, new Set(['month:2026-03']), fresh)].sort()).toEqual(months)
    expect([...archivesDue(months, new Set(['site']), (m) => m !== '2026-01')]).toEqual(['2026-01'])
  })
})
