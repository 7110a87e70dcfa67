# The scripts' one helper library (sourced, not run): the repository root, the
# Go toolchain, the demo credentials and the way scripts start ropc-mock.
# shellcheck shell=bash
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
GO=${GO:-go}
export GOFLAGS=${GOFLAGS:--buildvcs=false}

log() { printf '%s\n' "$(basename "$0" .sh): $*" >&2; }
die() { log "FAILED: $*"; exit 1; }

# demo_credential KEY prints one demo credential (client_id, client_secret,
# public_client_id, username, password, ...) from mockserver/demo.json, the
# file ropc-mock's built-in config is made from. The file keeps one
# "key": "value" per line for this reader (TestDemoFileShape checks it).
demo_credential() {
	local v
	v=$(sed -n 's/^  "'"$1"'": "\([^"]*\)",\{0,1\}$/\1/p' "$ROOT/mockserver/demo.json")
	[ -n "$v" ] || die "mockserver/demo.json has no $1"
	printf '%s\n' "$v"
}

# build_mock builds bin/ropc-mock.
build_mock() {
	mkdir -p "$ROOT/bin"
	"$GO" build -o "$ROOT/bin/ropc-mock" ./cmd/ropc-mock
}

# build_js_and_mock builds the npm package in js/ and bin/ropc-mock, which the
# JavaScript tests and benchmark start on a free loopback port.
build_js_and_mock() {
	bash "$ROOT/scripts/build-js.sh"
	build_mock
}

# start_mock OUTDIR [ropc-mock flags...] starts bin/ropc-mock on a free
# loopback port with a throwaway signing key, sets MOCK_PID and MOCK_URL (its
# issuer), and waits until it says where it serves. stop_mock ends it.
start_mock() {
	local out=$1
	shift
	"$ROOT/bin/ropc-mock" -addr 127.0.0.1:0 -key-file '' "$@" >"$out/mock.out" 2>"$out/mock.err" &
	MOCK_PID=$!
	MOCK_URL=
	local line
	for _ in $(seq 1 100); do
		if ! kill -0 "$MOCK_PID" 2>/dev/null; then
			cat "$out/mock.err" >&2
			die "ropc-mock exited during start-up"
		fi
		line=$(head -n 1 "$out/mock.out" 2>/dev/null || true)
		case "$line" in
		"ropc-mock: serving "*) MOCK_URL=${line#ropc-mock: serving }; return 0 ;;
		esac
		sleep 0.1
	done
	die "ropc-mock did not report its address within 10s"
}

stop_mock() {
	if [ -n "${MOCK_PID:-}" ] && kill -0 "$MOCK_PID" 2>/dev/null; then
		kill "$MOCK_PID" 2>/dev/null || true
		wait "$MOCK_PID" 2>/dev/null || true
	fi
	MOCK_PID=
}

# free_port prints a free TCP port on 127.0.0.1.
free_port() {
	node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{process.stdout.write(String(s.address().port));s.close()})'
}
