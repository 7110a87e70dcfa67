#!/usr/bin/env bash
# make test (JS part): builds the package and ropc-mock, installs the test
# dependencies, then runs Node's test runner: client tests against a real
# ropc-mock, fault quirks via its admin API, the examples, and headless
# Chromium (skipped, and reported as skipped, when no browser is installed).
set -euo pipefail
cd "$(dirname "$0")/.."
GO=${GO:-go}
export GOFLAGS=${GOFLAGS:--buildvcs=false}

bash scripts/build-js.sh
mkdir -p bin
"$GO" build -o bin/ropc-mock ./mockserver/cmd/ropc-mock

(cd js && npm ci --no-audit --no-fund --loglevel=error)
# What `npm install ../../js` does for the examples (a link), without
# installing Electron, whose installer downloads a binary.
for ex in examples/node examples/electron; do
  mkdir -p "$ex/node_modules"
  ln -sfn ../../../js "$ex/node_modules/ropc"
done

if [ ! -x /usr/bin/chromium ] && [ -z "${ROPC_CHROMIUM:-}" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "test-js: installing Debian's chromium for the browser tests"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "NOTE: no Chromium at /usr/bin/chromium: the browser tests will be SKIPPED (run as root, or apt-get install chromium)"
  fi
fi
node --test --test-concurrency=1 js/test/*.test.mjs
