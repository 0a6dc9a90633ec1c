#!/usr/bin/env bash
# Makes Debian's jing available: the tests validate every published Atom document against
# RFC 4287's RELAX NG grammar with it (test/helpers/validators.ts), and fail without it.
set -euo pipefail
if [ -x /usr/bin/jing ]; then exit 0; fi
echo "installing jing from Debian's packages" >&2
apt-get update -qq >&2
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq jing >&2
