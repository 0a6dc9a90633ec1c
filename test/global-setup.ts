// Compiles src/ into dist/ once, so the CLI tests run the built `feedwright` as users do.
import { execFileSync } from 'node:child_process'
import { resolve } from 'node:path'

export default function setup(): void {
  const root = resolve(import.meta.dirname, '..')
  execFileSync(resolve(root, 'node_modules/.bin/tsc'), ['-p', 'tsconfig.build.json'], {
    cwd: root,
    stdio: 'inherit',
  })
}
