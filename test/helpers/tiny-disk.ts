// A real full disk for tests: a small tmpfs mounted on a temporary directory (root, as in CI), which a
// filler file fills up to the last block and whose removal frees again.
import { execFileSync } from 'node:child_process'
import { rmSync } from 'node:fs'
import { join } from 'node:path'
import { tempDir } from './fixtures.js'

export interface TinyDisk {
  path: string
  /** Writes a filler file until the file system answers ENOSPC. */
  fill(): void
  /** Removes the filler. */
  free(): void
  unmount(): Promise<void>
}

export const mountTinyDisk = async (megabytes: number): Promise<TinyDisk> => {
  const dir = await tempDir()
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${megabytes}m`, 'tmpfs', dir.path])
  const filler = join(dir.path, 'filler')
  return {
    path: dir.path,
    fill: () => {
      try {
        execFileSync('dd', ['if=/dev/zero', `of=${filler}`, 'bs=4k'], { stdio: 'ignore' })
      } catch {
        // dd ends with an error once the disk is full: that is the point.
      }
    },
    free: () => rmSync(filler, { force: true }),
    unmount: async () => {
      execFileSync('umount', ['-l', dir.path])
      await dir.cleanup()
    },
  }
}
