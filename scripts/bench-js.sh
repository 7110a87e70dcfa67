#!/usr/bin/env bash
# make bench (JS part): size of ropc.wasm, import-to-ready time, passwordGrant
# latency beside a plain fetch, heap after 10,000 grants vs 100. Prints figures
# with the issue-5 targets beside them; fails only if it cannot run.
set -euo pipefail
cd "$(dirname "$0")/.."
GO=${GO:-go}
export GOFLAGS=${GOFLAGS:--buildvcs=false}
bash scripts/build-js.sh
mkdir -p bin
"$GO" build -o bin/ropc-mock ./mockserver/cmd/ropc-mock
node --expose-gc js/bench/bench.mjs
