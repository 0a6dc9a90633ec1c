#!/usr/bin/env bash
# Issue 12 goal 6's baseline, measured the same day as the code it judges: the first archive build
# at 1M articles of 58ddcd2 (the checkout the "7.2 min" of the issue was measured on), run by this
# checkout's bench/million.ts (which reads that checkout's text log and store API) in a worktree
# beside this one. `bash bench/million-original.sh` (the worktree, its npm ci and its 1M store,
# ~2.7 GB, are kept for the next run: ORIGINAL_TREE says where, default /tmp/feedwright-58ddcd2);
# then `npx tsx bench/million.ts` here, and compare the two "first archive build s" rows.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
tree=${ORIGINAL_TREE:-/tmp/feedwright-58ddcd2}
[ -d "$tree" ] || git -C "$here" worktree add --detach "$tree" 58ddcd2
cp "$here/bench/million.ts" "$here/bench/synthetic.ts" "$here/bench/gc-on-signal.mjs" "$tree/bench/"
cd "$tree"
[ -d node_modules ] || npm ci
npm run build
npx tsx bench/million.ts
