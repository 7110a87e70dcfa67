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
// github.com/syumai/workers' own binding (handleRequest) turns one request
// into an *http.Request through a ReadableStream and the response back
// through an io.Pipe, and its WaitUntil reads the ExecutionContext given at
// start-up. With one instance serving many requests that start-up value
// belongs to some earlier request, so entry.mjs passes each request's ctx
// with the request and leaves it out of the start-up context: a call to
// cloudflare.WaitUntil panics (ending the instance) instead of extending the
// wrong request. Use waitUntil below.
func serveRequests(h http.Handler) {
	serve := js.FuncOf(func(_ js.Value, args []js.Value) any {
		// binding.serve(method, url, headers, body, ctx, resolve, reject):
		// headers is a flat array [name0, value0, name1, value1, ...] and
		// body a Uint8Array or null; see entry.mjs.
		if len(args) != 7 {
			panic("binding.serve: want 7 arguments")
		}
		p := requestParts{method: args[0].String(), url: args[1].String()}
		hs := args[2]
		n := hs.Length()
		p.headers = make([][2]string, 0, n/2)
		for i := 0; i+1 < n; i += 2 {
			p.headers = append(p.headers, [2]string{hs.Index(i).String(), hs.Index(i + 1).String()})
		}
		if b := args[3]; !b.IsNull() && !b.IsUndefined() {
			p.body = make([]byte, b.Length())
			js.CopyBytesToGo(p.body, b)
		}
		execCtx, resolve, reject := args[4], args[5], args[6]
		// The handler may wait on D1 promises, which settle only once this
		// callback has returned to JavaScript: it runs in its own goroutine.
		go func() {
			r, err := newRequest(p)
			if err != nil {
				reject.Invoke(js.Global().Get("Error").New(err.Error()))
				return
			}
			r = r.WithContext(context.WithValue(context.Background(), executionContextKey{}, execCtx))
			w := newBufferedResponse()
			h.ServeHTTP(w, r)
			status, header, body := w.result()
			flat := make([]any, 0, 2*len(header))
			for name, values := range header {
				for _, v := range values {
					flat = append(flat, name, v)
				}
			}
			jsBody := js.Null()
			if len(body) > 0 {
				jsBody = js.Global().Get("Uint8Array").New(len(body))
				js.CopyBytesToJS(jsBody, body)
			}
			resolve.Invoke(js.ValueOf(map[string]any{"status": status, "headers": flat, "body": jsBody}))
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
