//go:build !(js && wasm)

// The module only makes sense as WebAssembly; this twin (the syumai/workers
// handler.go / handler_js.go pattern) keeps `go build ./...` and `go vet ./...`
// working on the host and says how to build the real thing.
package main

import (
	"fmt"
	"os"
)

func main() {
	fmt.Fprintln(os.Stderr, "ropc wasm: build with GOOS=js GOARCH=wasm (make js)")
	os.Exit(2)
}
