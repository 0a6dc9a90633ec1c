#!/usr/bin/env bash
# Makes Debian's Chromium available for the browser test (test/browser/), which otherwise skips.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then exit 0; fi
echo "installing chromium and chromium-driver from Debian's packages" >&2
apt-get update -qq >&2
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >&2
