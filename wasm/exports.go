//go:build js && wasm

package main

import (
	"unsafe"

	"github.com/ropcgo/ropc/wasm/internal/bridge"
)

var (
	// input holds the packed arguments of the next call; JavaScript writes
	// them straight into this Go memory (Go's collector does not move objects).
	input []byte
	// output is the last answer, kept reachable until JavaScript has read it.
	output string
)

const keepInput = 64 << 10 // a larger buffer (a big body) is dropped after its call

// ropcInput makes room for n bytes of packed arguments and returns where.
//
//go:wasmexport ropc_input
func ropcInput(n int32) int32 {
	if n < 0 {
		n = 0
	}
	if int(n) > cap(input) {
		input = make([]byte, max(int(n), 4096))
	}
	return int32(uintptr(unsafe.Pointer(unsafe.SliceData(input[:cap(input)]))))
}

// ropcCall runs function fn on the n bytes written after ropcInput and
// returns where its JSON answer is: address << 32 | length.
//
//go:wasmexport ropc_call
func ropcCall(fn, n int32) int64 {
	if n < 0 || int(n) > cap(input) {
		output = bridge.Call(-1, nil) // an "unknown function" error answer
	} else {
		output = bridge.Call(fn, input[:n])
	}
	if cap(input) > keepInput {
		input = nil
	}
	return int64(uintptr(unsafe.Pointer(unsafe.StringData(output))))<<32 | int64(len(output))
}
