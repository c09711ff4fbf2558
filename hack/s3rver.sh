#!/usr/bin/env bash
# Installs s3rver (a real S3-compatible server on Node) into a cache folder outside the checkout when it is
# missing, and prints the path of its command-line entry point (run it with `node <path> ...`). The backup tests'
# fixture calls this; hack/test.sh may call it up front so the first test does not pay for the install.
set -euo pipefail
CACHE=${S3RVER_CACHE:-/var/cache/metrics-operator/s3rver}
VERSION=3.7.1
BIN="$CACHE/node_modules/s3rver/bin/s3rver.js"
if [[ ! -f $BIN ]]; then
  command -v npm >/dev/null || { echo "s3rver.sh: npm is not installed (Node 20 is needed)" >&2; exit 1; }
  mkdir -p "$CACHE"
  # A private package.json keeps npm from walking up into another project.
  [[ -f $CACHE/package.json ]] || echo '{"name":"s3rver-cache","private":true}' >"$CACHE/package.json"
  echo "s3rver.sh: installing s3rver $VERSION into $CACHE" >&2
  npm install --prefix "$CACHE" --no-audit --no-fund --loglevel=error "s3rver@$VERSION" >&2
fi
echo "$BIN"
