#!/usr/bin/env bash
# Browser tests drive Debian's Chromium; install it when missing and we are root.
set -euo pipefail
CHROMIUM=${BAOXIU_CHROMIUM:-/usr/bin/chromium}
if [ -x "$CHROMIUM" ]; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
  echo "Installing Debian's chromium for the browser tests..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >/dev/null
  apt-get install -y -q chromium >/dev/null
else
  echo "Chromium not found at $CHROMIUM and cannot install it (not root); browser tests will fail." >&2
fi
