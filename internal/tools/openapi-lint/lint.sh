#!/usr/bin/env bash
# Lints the OpenAPI document the server serves (bigledger openapi) with
# the pinned Redocly CLI of package.json, offline.
set -euo pipefail
cd "$(dirname "$0")"
GO=${GO:-go}
if ! command -v npm >/dev/null 2>&1 && [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "npm not found: installing Debian's nodejs and npm for the OpenAPI lint" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null || { apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null; }
fi
if ! command -v npm >/dev/null 2>&1; then
  echo "openapi lint needs Node.js and npm (apt-get install -y nodejs npm)" >&2
  exit 1
fi
if [ ! -x node_modules/.bin/redocly ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
(cd ../../.. && $GO run ./cmd/bigledger openapi) > openapi.json
export REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true
set +e
node_modules/.bin/redocly lint openapi.json --config redocly.yaml --format=stylish --max-problems 50 >lint.out 2>&1
rc=$?
set -e
# Drop Redocly's banner about Node.js 20's end of life.
grep -v -e 'Node.js 20' -e '^ *[║╔╚]' -e '^ *$' lint.out || true
rm -f lint.out
exit $rc
