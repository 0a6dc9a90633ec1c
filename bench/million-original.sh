#!/usr/bin/env bash
# Issue 12 goal 6 with its baseline from the same run: the first archive build at 1M articles of
# 58ddcd2 (the checkout the "7.2 min" of the issue was measured on), then of this checkout, both by
# this checkout's bench/million.ts (which reads that checkout's text log and store API), and their
# ratio (goal ≤ 0.5). `bash bench/million-original.sh`; the worktree of 58ddcd2, its npm ci and its
# 1M store (~2.7 GB) are kept for the next run: ORIGINAL_TREE says where (/tmp/feedwright-58ddcd2).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
tree=${ORIGINAL_TREE:-/tmp/feedwright-58ddcd2}
[ -d "$tree" ] || git -C "$here" worktree add --detach "$tree" 58ddcd2
cp "$here/bench/million.ts" "$here/bench/synthetic.ts" "$here/bench/gc-on-signal.mjs" "$tree/bench/"
# Passes the bench's output on to stderr (through fd 2: /dev/stderr would reopen, and truncate, a
# log file) and prints the measured value of its row "first archive build s (…)".
first_build() {
  awk -F'│' '{ print | "cat 1>&2" } /first archive build s/ { v = $4; gsub(/ /, "", v); print v }'
}
echo "58ddcd2 ($tree):" >&2
original=$(cd "$tree" && { [ -d node_modules ] || npm ci >&2; } && npm run build >&2 && npx tsx bench/million.ts | first_build)
echo "this checkout ($here):" >&2
current=$(cd "$here" && npm run build >&2 && npx tsx bench/million.ts | first_build)
node -e 'const [c, o] = process.argv.slice(1).map(Number)
console.log(`first archive build: ${c} s here, ${o} s for 58ddcd2: ${(c / o).toFixed(2)}× (goal ≤ 0.5)`)' "$current" "$original"
