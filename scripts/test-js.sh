#!/usr/bin/env bash
# make test (JS part): builds the package and ropc-mock, installs the test
# dependencies, then runs Node's test runner: client tests against a real
# ropc-mock, fault quirks via its admin API, the examples, the packed package
# under Node and bundled by esbuild, Vite, webpack and Rollup, and headless
# Chromium (skipped, and reported as skipped, when no browser is installed).
source "$(dirname "$0")/lib.sh"
build_js_and_mock

(cd js && npm ci --no-audit --no-fund --loglevel=error)
# esbuild, Vite, webpack and Rollup for js/test/bundlers.test.mjs.
(cd js/test/bundlers && npm ci --no-audit --no-fund --loglevel=error)
# What `npm install ../../js` does for the examples (a link), without
# installing Electron, whose installer downloads a binary.
for ex in examples/node examples/electron; do
  mkdir -p "$ex/node_modules"
  ln -sfn ../../../js "$ex/node_modules/ropc"
done

# The browser js/test/browser.test.mjs uses: $ROPC_CHROMIUM, else Debian's.
browser=${ROPC_CHROMIUM:-/usr/bin/chromium}
if [ -z "${ROPC_CHROMIUM:-}" ] && [ ! -x "$browser" ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "test-js: installing Debian's chromium for the browser tests"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
skipped=
if [ "$browser" = none ] || [ ! -x "$browser" ]; then
  skipped="NOTE: no Chromium (looked for: $browser): the headless-Chromium tests were SKIPPED, not passed (run as root, or apt-get install chromium, or set ROPC_CHROMIUM)"
  echo "$skipped"
fi
# A hung test fails after 2 minutes instead of blocking the suite.
node --test --test-concurrency=1 --test-timeout=120000 js/test/*.test.mjs
# Said again after the long test report, so a skip is not mistaken for a pass.
if [ -n "$skipped" ]; then echo "$skipped"; fi
