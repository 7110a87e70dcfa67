#!/usr/bin/env bash
# run.sh — interop check: third-party JS OAuth clients (simple-oauth2,
# @badgateway/oauth2-client, oauth4webapi with DPoP) against a freshly built
# ropc-mock on loopback (with the admin API, to register a DPoP client).
# Needs node >= 18 and npm (the npm registry); exits non-zero on failure.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
work=$(mktemp -d)
pid=""
cleanup() {
	if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
	rm -rf "$work"
}
trap cleanup EXIT

(cd "$root" && go build -o "$work/ropc-mock" ./cmd/ropc-mock)
(cd "$here" && npm ci --no-audit --no-fund --silent)

"$work/ropc-mock" -addr 127.0.0.1:0 -key-file "" -admin -log-level warn >"$work/out" 2>"$work/err" &
pid=$!
url=""
for _ in $(seq 100); do
	url=$(sed -n 's/^ropc-mock: serving //p' "$work/out" | head -1)
	[ -n "$url" ] && break
	sleep 0.05
done
if [ -z "$url" ]; then echo "jsclients: ropc-mock did not start" >&2; cat "$work/err" >&2; exit 1; fi

cd "$here"
ROPC_MOCK_URL="$url" node --test --test-timeout=60000 clients.test.mjs
