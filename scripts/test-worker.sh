#!/usr/bin/env bash
# make test (part): builds the worker, serves it with `wrangler dev` on a free
# loopback port with a fresh local D1 database and a throwaway signing key,
# and runs the shared HTTP conformance suite against it
# (TestWorkerConformance in mockserver/worker), the admin reset check
# (TestWorkerAdminReset), concurrent requests to the isolate's one Go instance
# (TestWorkerConcurrentRequests) and the replacement of an instance that
# panics (TestWorkerPanicReplacesInstance); then it serves the worker again
# with the auth0-profile config of mockserver/worker/testdata/mfa-config.json
# and completes TOTP and out-of-band sign-ins whose steps reach different Go
# instances (TestWorkerMFA). Last it runs the shared Store suite on D1 itself:
# mockserver/sqlstore's js/wasm test binary (TestD1StoreConformance) inside
# workerd, served by mockserver/worker/storetest. A skipped or missing run fails.
set -euo pipefail
source "$(dirname "$0")/worker-lib.sh"
ensure_wrangler
"$ROOT/scripts/build-worker.sh"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/ropc-worker-test.XXXXXX")
cleanup() {
	stop_wrangler
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A key and admin token for this run only: the developer's .dev.vars is neither needed nor touched.
write_env_file "$tmp/test.env"
admin_token=$(node -e 'process.stdout.write(require("crypto").randomBytes(18).toString("base64url"))')
printf "ADMIN_TOKEN='%s'\n" "$admin_token" >>"$tmp/test.env"
apply_schema "$tmp/state"
port=$(free_port)
start_wrangler "$port" "$tmp/state" "$tmp/wrangler.log" --env-file "$tmp/test.env"
url="http://127.0.0.1:$port"
log "wrangler dev is serving $url"

tests=(TestWorkerConformance TestWorkerAdminReset TestWorkerConcurrentRequests TestWorkerPanicReplacesInstance)
status=0
(cd "$ROOT" && ROPC_WORKER_URL="$url" ROPC_WORKER_ADMIN_TOKEN="$admin_token" ROPC_WORKER_REQUIRED=1 \
	go test -count=1 -v -timeout 5m -run "^($(IFS='|'; echo "${tests[*]}"))\$" ./mockserver/worker/) >"$tmp/test.out" 2>&1 || status=$?

# The same worker and D1 database with the MFA config (one line of JSON in the env file).
if [[ $status -eq 0 ]]; then
	stop_wrangler
	cp "$tmp/test.env" "$tmp/mfa.env"
	printf "ROPC_MOCK_CONFIG='%s'\n" "$(node -e 'process.stdout.write(JSON.stringify(JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"))))' \
		"$WORKER_DIR/testdata/mfa-config.json")" >>"$tmp/mfa.env"
	port=$(free_port)
	url="http://127.0.0.1:$port"
	start_wrangler "$port" "$tmp/state" "$tmp/wrangler.log" --env-file "$tmp/mfa.env"
	log "wrangler dev is serving $url with the MFA config"
	tests+=(TestWorkerMFA)
	(cd "$ROOT" && ROPC_WORKER_MFA_URL="$url" ROPC_WORKER_ADMIN_TOKEN="$admin_token" ROPC_WORKER_REQUIRED=1 \
		go test -count=1 -v -timeout 5m -run '^TestWorkerMFA$' ./mockserver/worker/) >>"$tmp/test.out" 2>&1 || status=$?
fi
grep -E '^(=== RUN|\s*--- (FAIL|SKIP)|FAIL|ok|PASS)|Error|expected|actual' "$tmp/test.out" | grep -v '^=== RUN' >&2 || true
if [[ $status -ne 0 ]]; then
	log "worker tests FAILED against the worker (exit $status); full output:"
	cat "$tmp/test.out" >&2
	log "wrangler log:"
	tail -50 "$tmp/wrangler.log" >&2
	exit "$status"
fi
for test in "${tests[@]}"; do
	if ! grep -q -- "^    --- PASS: $test/workers_runtime " "$tmp/test.out"; then
		log "$test did not run and pass against the worker (skipped?):"
		cat "$tmp/test.out" >&2
		exit 1
	fi
done
stop_wrangler

# The Store suite on D1, in workerd: the same conformance.RunStore the memory
# and SQLite stores pass, through the D1 driver the worker uses.
storetest="$WORKER_DIR/storetest/build"
mkdir -p "$storetest"
(cd "$ROOT" && GOOS=js GOARCH=wasm go test -c -o "$storetest/storetest.wasm" ./mockserver/sqlstore/)
cp "$WORKER_DIR/storetest/entry.mjs" "$storetest/entry.mjs"
cp "$WORKER_DIR/build/wasm_exec.js" "$storetest/wasm_exec.js"
port=$(free_port)
start_wrangler "$port" "$tmp/storetest-state" "$tmp/wrangler.log" -c storetest/wrangler.toml
log "running the Store suite on D1 in workerd"
d1status=$(curl -sS -o "$tmp/d1.out" -w '%{http_code}' -X POST --max-time 300 "http://127.0.0.1:$port/run" || true)
cat "$tmp/d1.out" >>"$tmp/test.out"
if [[ $d1status != 200 ]] || ! grep -q -- '^--- PASS: TestD1StoreConformance ' "$tmp/d1.out" ||
	grep -qE -- '--- (FAIL|SKIP)' "$tmp/d1.out"; then
	log "the Store suite on D1 FAILED (HTTP $d1status); its output:"
	cat "$tmp/d1.out" >&2
	log "wrangler log:"
	tail -50 "$tmp/wrangler.log" >&2
	exit 1
fi

passed=$(grep -cE -- '^\s*--- PASS:' "$tmp/test.out" || true)
failed=$(grep -cE -- '^\s*--- FAIL:' "$tmp/test.out" || true)
skipped=$(grep -cE -- '^\s*--- SKIP:' "$tmp/test.out" || true)
echo "worker tests: $passed passed, $failed failed, $skipped skipped"
