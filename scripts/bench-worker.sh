#!/usr/bin/env bash
# make bench (part): the Workers build's figures — app.wasm size raw and
# gzipped, and one-at-a-time latency (median, p99) of GET /healthz and the
# password grant on the local Workers runtime (wrangler dev, local D1), with
# the native ropc-mock measured the same way beside it. Figures, not
# pass/fail; the targets are printed next to them.
# Env: N (requests per endpoint, default 300; the machine's load moves the figures, so more is steadier).
set -euo pipefail
source "$(dirname "$0")/worker-lib.sh"
n=${N:-300}
ensure_wrangler
"$ROOT/scripts/build-worker.sh" 2>/dev/null

tmp=$(mktemp -d "${TMPDIR:-/tmp}/ropc-worker-bench.XXXXXX")
native_pid=
cleanup() {
	stop_wrangler
	if [[ -n "$native_pid" ]]; then kill "$native_pid" 2>/dev/null || true; fi
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

cd "$ROOT"
go build -o "$tmp/latency" ./mockserver/worker/internal/latency
go build -o "$tmp/ropc-mock" ./cmd/ropc-mock

wasm=mockserver/worker/build/app.wasm
raw=$(stat -c %s "$wasm")
gz=$(gzip -9 -c "$wasm" | wc -c)
echo "worker app.wasm: $(awk -v b="$raw" 'BEGIN{printf "%.2f MB", b/1e6}') raw, $(awk -v b="$gz" 'BEGIN{printf "%.2f MB", b/1e6}') gzipped (target <= 3 MB gzipped: $(awk -v b="$gz" 'BEGIN{print (b<=3e6)?"met":"MISSED"}'))"

write_env_file "$tmp/bench.env"
apply_schema "$tmp/state"
port=$(free_port)
start_wrangler "$port" "$tmp/state" "$tmp/wrangler.log" --env-file "$tmp/bench.env"
"$tmp/latency" -url "http://127.0.0.1:$port" -n "$n" -label "worker (wrangler dev, local D1) " | tee "$tmp/worker.txt"
stop_wrangler
ratio=$(awk '/median ratio/ {print $NF}' "$tmp/worker.txt")
echo "worker grant/healthz median ratio $ratio (target <= 1.5: $(awk -v r="$ratio" 'BEGIN{print (r<=1.5)?"met":"MISSED"}'))"

"$tmp/ropc-mock" -addr 127.0.0.1:0 -key-file '' -log-level error >"$tmp/native.out" 2>"$tmp/native.err" &
native_pid=$!
for _ in $(seq 100); do
	url=$(grep -o 'http://[^ ]*' "$tmp/native.out" 2>/dev/null | head -1 || true)
	[[ -n "$url" ]] && break
	sleep 0.05
done
if [[ -z "$url" ]]; then
	log "native ropc-mock did not start:"
	cat "$tmp/native.err" >&2
	exit 1
fi
"$tmp/latency" -url "$url" -n "$n" -label "native ropc-mock (memory store) "
