#!/usr/bin/env bash
# Makes sure Debian's Chromium exists for the browser test
# (internal/server TestPlaygroundInBrowser): installs the chromium package
# when running as root, otherwise says in one line what to install.
set -euo pipefail
if command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ]; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Chromium not found: installing Debian's chromium package for the browser test" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq chromium >/dev/null
  command -v chromium >/dev/null 2>&1 && exit 0
fi
echo "Chromium not found: install it with 'apt-get install -y chromium' (as root), or set BIGLEDGER_CHROMIUM to a Chromium binary" >&2
exit 1
