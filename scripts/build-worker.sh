#!/usr/bin/env bash
# make worker: builds the Cloudflare Workers bundle into mockserver/worker/build/:
# worker.mjs (mockserver/worker/entry.mjs: one Go instance per isolate), wasm_exec.js
# (from github.com/syumai/workers' generator) and app.wasm. The generator's own
# entry module, which starts a Go instance per request, is kept in build/generated/
# over the same app.wasm: scripts/bench-worker.sh measures it as the baseline.
set -euo pipefail
source "$(dirname "$0")/worker-lib.sh"
cd "$ROOT"
out=mockserver/worker/build
# The generator deletes and rewrites build/, so everything else is placed after it.
go tool workers-assets-gen -mode=go -o "$out/generated" >/dev/null
GOOS=js GOARCH=wasm go build -trimpath -ldflags='-s -w' -o "$out/app.wasm" ./mockserver/worker
cp "$out/generated/wasm_exec.js" "$out/wasm_exec.js"
cp mockserver/worker/entry.mjs "$out/worker.mjs"
ln -f "$out/app.wasm" "$out/generated/app.wasm"
raw=$(stat -c %s "$out/app.wasm")
gz=$(gzip -9 -c "$out/app.wasm" | wc -c)
log "built $out/app.wasm: $raw bytes raw, $gz bytes gzipped"
