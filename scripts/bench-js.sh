#!/usr/bin/env bash
# make bench (JS part): size of ropc.wasm, import-to-ready time, passwordGrant
# latency beside a plain fetch, heap after 10,000 grants vs 100. Prints figures
# with the size, start-up and latency targets beside them; fails only if it cannot run.
source "$(dirname "$0")/lib.sh"
build_js_and_mock
node --expose-gc js/bench/bench.mjs
node js/bench/dpop.mjs
