//go:build js && wasm

package main

import (
	"context"
	"net/http"
	"syscall/js"

	"github.com/syumai/workers"
)

// serveRequests publishes h to entry.mjs as binding.serve and never returns.
//
// Why not github.com/syumai/workers' own binding (handleRequest): it moves a
// request and its response through ReadableStreams and an io.Pipe, a
// crossing between JavaScript and WebAssembly per header, string and chunk,
// where binding.serve takes one frame each way (frame.go); and its
// WaitUntil reads the ExecutionContext given at start-up, which, with one
// instance serving many requests, belongs to some earlier request.
// entry.mjs passes each request's ctx with the request and leaves it out of
// the start-up context, so cloudflare.WaitUntil panics (ending the instance)
// instead of extending the wrong request; use waitUntil below.
func serveRequests(h http.Handler) {
	uint8Array := js.Global().Get("Uint8Array")
	serve := js.FuncOf(func(_ js.Value, args []js.Value) any {
		// binding.serve(frame, ctx, resolve, reject): frame is a Uint8Array
		// (see frame.go); resolve takes the response frame.
		if len(args) != 4 {
			panic("binding.serve: want 4 arguments")
		}
		frame := make([]byte, args[0].Length())
		js.CopyBytesToGo(frame, args[0])
		execCtx, resolve, reject := args[1], args[2], args[3]
		// The handler may wait on D1 promises, which settle only once this
		// callback has returned to JavaScript: it runs in its own goroutine.
		go func() {
			p, err := parseRequestFrame(frame)
			var r *http.Request
			if err == nil {
				r, err = newRequest(p)
			}
			if err != nil {
				reject.Invoke(js.Global().Get("Error").New(err.Error()))
				return
			}
			r = r.WithContext(context.WithValue(context.Background(), executionContextKey{}, execCtx))
			w := newBufferedResponse()
			h.ServeHTTP(w, r)
			status, header, body := w.result()
			out := appendResponseFrame(make([]byte, 0, 256+len(body)), status, header, body)
			jsOut := uint8Array.New(len(out))
			js.CopyBytesToJS(jsOut, out)
			resolve.Invoke(jsOut)
		}()
		return nil
	})
	js.Global().Get("context").Get("binding").Set("serve", serve)
	// syumai/workers' own binding serves h too: scripts/bench-worker.sh runs
	// the generator's per-request entry module over this same app.wasm as
	// the baseline of its figures. entry.mjs never calls it.
	workers.ServeNonBlock(h)
	workers.Ready()
	select {}
}

// executionContextKey holds the request's ExecutionContext (the fetch
// handler's ctx) in its context.Context.
type executionContextKey struct{}

// waitUntil runs task after the response if need be: ctx.waitUntil of the
// request whose context ctx is keeps the isolate alive until task returns.
// Without a Workers request in ctx, task runs before waitUntil returns.
func waitUntil(ctx context.Context, task func()) {
	execCtx, ok := ctx.Value(executionContextKey{}).(js.Value)
	if !ok || execCtx.IsUndefined() || execCtx.IsNull() {
		task()
		return
	}
	var executor js.Func
	executor = js.FuncOf(func(_ js.Value, args []js.Value) any {
		executor.Release()
		resolve := args[0]
		go func() {
			defer resolve.Invoke()
			task()
		}()
		return nil
	})
	execCtx.Call("waitUntil", js.Global().Get("Promise").New(executor))
}
