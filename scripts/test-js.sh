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
  echo "NOTE: no Chromium at /usr/bin/chromium: the browser tests will be SKIPPED (apt-get install chromium)"
fi
node --test --test-concurrency=1 js/test/*.test.mjs
