# Shared by scripts/test-js.sh and scripts/bench-js.sh (sourced, not run).
# shellcheck shell=bash
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
GO=${GO:-go}
export GOFLAGS=${GOFLAGS:--buildvcs=false}

# build_js_and_mock builds the npm package in js/ and bin/ropc-mock, which the
# tests and the benchmark start on a free loopback port.
build_js_and_mock() {
	bash scripts/build-js.sh
	mkdir -p bin
	"$GO" build -o bin/ropc-mock ./cmd/ropc-mock
}
