#!/usr/bin/env bash
# make js: builds the npm package in place (js/ropc.wasm + js/wasm_exec.js), so
# `npm install <repo>/js` works. The shim is copied from the toolchain that
# built the module: the two must match exactly.
set -euo pipefail
cd "$(dirname "$0")/.."
GO=${GO:-go}
export GOFLAGS=${GOFLAGS:--buildvcs=false}
goroot=$("$GO" env GOROOT)
shim="$goroot/lib/wasm/wasm_exec.js"
[ -f "$shim" ] || shim="$goroot/misc/wasm/wasm_exec.js" # Go < 1.24 kept it here
# -s -w: no symbol table or DWARF (about a third of the raw size); -trimpath:
# no build paths in the binary.
GOOS=js GOARCH=wasm "$GO" build -trimpath -ldflags='-s -w' -o js/ropc.wasm.tmp ./wasm
# 0644: go build makes an executable, which a data file should not be.
chmod 0644 js/ropc.wasm.tmp
mv js/ropc.wasm.tmp js/ropc.wasm
install -m 0644 "$shim" js/wasm_exec.js
echo "built js/ropc.wasm ($(wc -c <js/ropc.wasm) bytes) and js/wasm_exec.js from $("$GO" version | cut -d' ' -f3)"
