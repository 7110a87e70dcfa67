#!/usr/bin/env bash
# make test (part): builds the worker, serves it with `wrangler dev` on a free
# loopback port with a fresh local D1 database and a throwaway signing key,
# and runs the shared HTTP conformance suite against it
# (TestWorkerConformance in mockserver/worker), the admin reset check
# (TestWorkerAdminReset), concurrent requests to the isolate's one Go instance
# (TestWorkerConcurrentRequests) and the replacement of an instance that
# panics (TestWorkerPanicReplacesInstance). A skipped or missing run fails.
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
passed=$(grep -cE -- '^\s*--- PASS:' "$tmp/test.out" || true)
failed=$(grep -cE -- '^\s*--- FAIL:' "$tmp/test.out" || true)
skipped=$(grep -cE -- '^\s*--- SKIP:' "$tmp/test.out" || true)
echo "worker tests: $passed passed, $failed failed, $skipped skipped"
