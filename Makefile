# ropc — the front door. Every target installs what it needs; see README.md.
GO ?= go
export GOFLAGS := -buildvcs=false

.PHONY: help demo test test-go test-js test-interop test-worker mock js worker worker-dev bench bench-go bench-mock bench-js bench-worker fuzz dist clean

## help: list the targets (each documented by a "## target: what it does" line in this file).
help:
	@sed -n 's/^## \([a-z-]*\): /\1\t/p' $(firstword $(MAKEFILE_LIST)) | awk -F '\t' '{ printf "  %-12s %s\n", $$1, $$2 }'

## demo: start the mock on built-in defaults and run the ropc CLI through discover, token, userinfo, introspect, refresh, revoke.
demo:
	bash scripts/demo.sh

## test: every test — Go (race detector, fuzz seeds), Node, headless Chromium, Cloudflare Workers runtime.
test: test-go test-js test-interop test-worker

## test-go: go vet (native and js/wasm) and every Go test with the race detector, the shared rule table included.
test-go:
	bash scripts/keychain-deps.sh
	$(GO) vet ./...
	GOOS=js GOARCH=wasm $(GO) vet ./wasm/... ./mockserver/worker/... ./mockserver/sqlstore/...
	$(GO) test -race -count=1 ./...

## test-js: build the npm package and run its Node and headless-Chromium tests, the shared rule table included.
test-js:
	bash scripts/test-js.sh

## test-worker: on the local Workers runtime: the HTTP conformance suite, concurrent requests to one Go instance, a panicking instance's replacement, MFA sign-ins across instances, and the shared Store suite on D1.
test-worker:
	bash scripts/test-worker.sh

## test-interop: third-party JavaScript OAuth clients (simple-oauth2, @badgateway/oauth2-client, oauth4webapi with DPoP) against ropc-mock.
test-interop:
	bash mockserver/conformance/jsclients/run.sh

## mock: run the mock token server on 127.0.0.1:8080 with the built-in demo config.
mock:
	$(GO) run ./cmd/ropc-mock -admin $(ARGS)

## js: build the npm package in js/ (wasm + wasm_exec.js + types).
js:
	bash scripts/build-js.sh

## worker: build the Cloudflare Workers bundle.
worker:
	bash scripts/build-worker.sh

## worker-dev: serve the Workers bundle locally on 127.0.0.1, port $PORT (default 8787).
worker-dev:
	bash scripts/worker-dev.sh

## bench: every benchmark, printing figures (not pass/fail).
bench: bench-go bench-mock bench-js bench-worker

bench-go:
	bash scripts/keychain-deps.sh
	$(GO) test -run '^$$' -bench . -benchmem ./sdk/... ./mockserver

bench-mock:
	bash scripts/bench-mock.sh

bench-js:
	bash scripts/bench-js.sh

bench-worker:
	bash scripts/bench-worker.sh

## fuzz: run each fuzz target for a while (make test runs their seeds).
fuzz:
	$(GO) test -run '^$$' -fuzz FuzzParseTokenResponse -fuzztime 30s ./sdk/core
	$(GO) test -run '^$$' -fuzz FuzzDecodeFlatJSON -fuzztime 30s ./sdk/core
	$(GO) test -run '^$$' -fuzz FuzzParseChallengeResponse -fuzztime 30s ./sdk/core
	$(GO) test -run '^$$' -fuzz '^FuzzParseChallenges$$' -fuzztime 30s ./sdk/core
	$(GO) test -run '^$$' -fuzz FuzzParseAuthenticators -fuzztime 30s ./sdk/core
	$(GO) test -run '^$$' -fuzz FuzzUnmarshalSavedToken -fuzztime 30s ./sdk/core
	$(GO) test -run '^$$' -fuzz FuzzParseHead -fuzztime 30s ./sdk/keychain
	$(GO) test -run '^$$' -fuzz FuzzHandler -fuzztime 30s ./mockserver
	$(GO) test -run '^$$' -fuzz FuzzAppendJSON -fuzztime 30s ./mockserver
	$(GO) test -run '^$$' -fuzz FuzzResolveScope -fuzztime 30s ./mockserver
	$(GO) test -run '^$$' -fuzz FuzzDPoPProof -fuzztime 30s ./mockserver
	$(GO) test -run '^$$' -fuzz FuzzNeedsDPoPNonce -fuzztime 30s ./sdk/core
	$(GO) test -run '^$$' -fuzz FuzzParseJSONParams -fuzztime 30s ./mockserver
	$(GO) test -run '^$$' -fuzz FuzzProfileHandler -fuzztime 30s ./mockserver
	$(GO) test -run '^$$' -fuzz FuzzParseRule -fuzztime 30s ./mockserver/admin
	$(GO) test -run '^$$' -fuzz FuzzCall -fuzztime 30s ./wasm/internal/bridge
	$(GO) test -run '^$$' -fuzz FuzzJSONWriterString -fuzztime 30s ./wasm/internal/bridge
	$(GO) test -run '^$$' -fuzz FuzzParseRequestFrame -fuzztime 30s ./mockserver/worker

## dist: release artifacts in dist/: ropc and ropc-mock for linux, darwin, windows on amd64 and arm64, the npm tarball, SHA256SUMS.
dist: js
	GO=$(GO) $(GO) run ./internal/dist -out dist

## clean: remove build output and installed node_modules.
clean:
	rm -rf bin dist js/node_modules js/test/bundlers/node_modules js/ropc.wasm js/wasm_exec.js examples/*/node_modules mockserver/worker/build mockserver/worker/node_modules mockserver/conformance/jsclients/node_modules
