//go:build js && wasm

// Command wasm is the WebAssembly module of the npm package ropc: the Go core
// (sdk/core, through package bridge) behind pure build/parse functions. The
// JavaScript layer (js/) does fetch, timeouts, sessions and error classes.
//
// Calls come in through two go:wasmexport functions (exports.go), not through
// syscall/js functions: no js.Func exists, so none can leak, and a call costs
// under a microsecond instead of 10-25 µs.
//
// Start-up handshake: js/loader.js passes, as argv[1], the name of a global
// function; main calls it with the protocol version once the runtime is up
// (the ready signal), then blocks so the exports stay callable.
package main

import (
	"os"
	"syscall/js"

	"github.com/ropcgo/ropc/wasm/internal/bridge"
)

func main() {
	if len(os.Args) > 1 {
		if ready := js.Global().Get(os.Args[1]); ready.Type() == js.TypeFunction {
			ready.Invoke(bridge.ProtocolVersion)
		}
	}
	// Returning would end the Go runtime; blocking hands control back to
	// JavaScript, which then calls the exports.
	block := make(chan struct{})
	<-block
}
