#!/usr/bin/env bash
# Refreshes the embedded browser assets from the npm packages pinned in
# package.json / package-lock.json: installs them in a scratch directory,
# copies the prebuilt browser bundles and gzips them into assets/ (the
# server serves them gzipped, or inflates them for a client that does not
# accept gzip). SHA256SUMS records the uncompressed files.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp "$here/package.json" "$work/"
[ -f "$here/package-lock.json" ] && cp "$here/package-lock.json" "$work/"
(cd "$work" && if [ -f package-lock.json ]; then npm ci --ignore-scripts --no-audit --no-fund; else npm install --ignore-scripts --no-audit --no-fund; fi) >&2
[ -f "$here/package-lock.json" ] || cp "$work/package-lock.json" "$here/"
m="$work/node_modules"
files=(
  "react/umd/react.production.min.js:react.production.min.js"
  "react-dom/umd/react-dom.production.min.js:react-dom.production.min.js"
  "graphiql/graphiql.min.js:graphiql.min.js"
  "graphiql/graphiql.min.css:graphiql.min.css"
  "graphql-ws/umd/graphql-ws.min.js:graphql-ws.min.js"
  "redoc/bundles/redoc.standalone.js:redoc.standalone.js"
)
rm -f "$here"/assets/*.gz
: > "$here/assets/SHA256SUMS"
for f in "${files[@]}"; do
  src="$m/${f%%:*}" dst="${f##*:}"
  gzip -9 -n -c "$src" > "$here/assets/$dst.gz"
  (cd "$(dirname "$src")" && sha256sum "$(basename "$src")" | sed "s/ .*/  $dst/") >> "$here/assets/SHA256SUMS"
done
ls -l "$here/assets"
