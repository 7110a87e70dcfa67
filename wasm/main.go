//go:build js && wasm

// Command wasm is the WebAssembly module of the npm package ropc. It exports
// the pure build/parse functions of package bridge to JavaScript; the JS layer
// (js/index.js) does fetch, timeouts, sessions and error classes.
//
// Start-up handshake: the JS loader passes, as argv[1], the name of a global
// function; main calls it with the namespace object once every export is in
// place (the ready signal), then blocks until shutdown() is called.
package main

import (
	"fmt"
	"os"
	"runtime"
	"syscall/js"

	"github.com/ropcgo/ropc/wasm/bridge"
)

func main() {
	done := make(chan struct{})
	var funcs []js.Func
	ns := js.Global().Get("Object").New()
	export := func(name string, f func(args []js.Value) any) {
		fn := js.FuncOf(func(_ js.Value, args []js.Value) any { return f(args) })
		funcs = append(funcs, fn)
		ns.Set(name, fn)
	}
	// Each export takes strings (JSON) and, for parsers, the body as a
	// Uint8Array, and returns one JSON string: one crossing per call and no
	// js.Value or js.Func kept alive after it returns.
	str := func(f func(string) string) func([]js.Value) any {
		return func(args []js.Value) any { return f(arg(args, 0)) }
	}
	parse := func(f func(string, []byte) string) func([]js.Value) any {
		return func(args []js.Value) any { return f(arg(args, 0), body(args)) }
	}
	export("buildPasswordRequest", str(bridge.BuildPasswordRequest))
	export("buildRefreshRequest", str(bridge.BuildRefreshRequest))
	export("buildRevocation", str(bridge.BuildRevocation))
	export("buildIntrospection", str(bridge.BuildIntrospection))
	export("parseTokenResponse", parse(bridge.ParseTokenResponse))
	export("parseRevocation", parse(bridge.ParseRevocation))
	export("parseIntrospection", parse(bridge.ParseIntrospection))
	export("parseMetadata", parse(bridge.ParseMetadata))
	export("discoveryURLs", str(bridge.DiscoveryURLs))
	export("parseBearerChallenge", str(bridge.ParseBearerChallenge))
	// heapStats is for the heap benchmark (scripts/bench-js.sh): Go's own
	// heap, which JavaScript's heap figures do not include.
	export("heapStats", func([]js.Value) any {
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return fmt.Sprintf(`{"heapAlloc":%d,"heapSys":%d,"numGC":%d}`, m.HeapAlloc, m.HeapSys, m.NumGC)
	})
	export("shutdown", func([]js.Value) any {
		select {
		case <-done:
		default:
			close(done)
		}
		return nil
	})

	if len(os.Args) > 1 {
		if ready := js.Global().Get(os.Args[1]); ready.Type() == js.TypeFunction {
			ready.Invoke(ns)
		}
	}
	<-done
	for _, fn := range funcs {
		fn.Release()
	}
}

func arg(args []js.Value, i int) string {
	if i >= len(args) || args[i].Type() != js.TypeString {
		return ""
	}
	return args[i].String()
}

func body(args []js.Value) []byte {
	if len(args) < 2 || args[1].Type() != js.TypeObject {
		return nil
	}
	b := make([]byte, args[1].Get("byteLength").Int())
	js.CopyBytesToGo(b, args[1])
	return b
}
