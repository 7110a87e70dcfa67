#!/usr/bin/env bash
# make worker: builds the Cloudflare Workers bundle into mockserver/worker/build/
# (worker.mjs + runtime.mjs + wasm_exec.js from syumai/workers' generator, then app.wasm).
set -euo pipefail
source "$(dirname "$0")/worker-lib.sh"
cd "$ROOT"
out=mockserver/worker/build
# The generator deletes and rewrites build/, so the .wasm is built after it.
go tool workers-assets-gen -mode=go -o "$out" >/dev/null
GOOS=js GOARCH=wasm go build -trimpath -ldflags='-s -w' -o "$out/app.wasm" ./mockserver/worker
raw=$(stat -c %s "$out/app.wasm")
gz=$(gzip -9 -c "$out/app.wasm" | wc -c)
log "built $out/app.wasm: $raw bytes raw, $gz bytes gzipped"
