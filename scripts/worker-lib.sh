# Shared helpers for scripts/*worker*.sh (sourced, not run), on top of the
# scripts' library (lib.sh: ROOT, free_port, demo_credential). Everything the
# worker needs is installed into mockserver/worker from the npm registry.
# shellcheck shell=bash
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

WORKER_DIR="$ROOT/mockserver/worker"
WRANGLER="$WORKER_DIR/node_modules/.bin/wrangler"
SCHEMA="$ROOT/mockserver/sqlstore/schema.sql"
export WRANGLER_SEND_METRICS=false   # no telemetry prompt or upload
export WRANGLER_LOG_SANITIZE=true
export NO_UPDATE_NOTIFIER=1

log() { printf '%s\n' "worker: $*" >&2; }

# ensure_wrangler installs wrangler (and workerd) from package-lock.json when
# missing or when the lock changed since the last install.
ensure_wrangler() {
	if [[ -x "$WRANGLER" && "$WORKER_DIR/node_modules/.package-lock.json" -nt "$WORKER_DIR/package-lock.json" ]]; then
		return
	fi
	log "installing wrangler (npm ci in mockserver/worker)"
	(cd "$WORKER_DIR" && npm ci --no-audit --no-fund --loglevel=error >&2)
}

# new_signing_key prints a fresh private Ed25519 JWK on one line.
new_signing_key() {
	node -e 'const c=require("crypto");process.stdout.write(JSON.stringify({...c.generateKeyPairSync("ed25519").privateKey.export({format:"jwk"}),alg:"EdDSA",use:"sig"}))'
}

# write_env_file FILE writes a dotenv file with a new SIGNING_KEY, private to the user.
write_env_file() {
	local file=$1
	(umask 077 && printf "SIGNING_KEY='%s'\n" "$(new_signing_key)" >"$file")
}

# apply_schema PERSIST_DIR creates the tables in the local D1 database kept under PERSIST_DIR.
apply_schema() {
	(cd "$WORKER_DIR" && "$WRANGLER" d1 execute DB --local --persist-to "$1" --file "$SCHEMA" --yes >/dev/null)
}

# start_wrangler PORT PERSIST_DIR LOGFILE [extra wrangler dev args...]
# Starts `wrangler dev` in its own process group (WRANGLER_PID) and waits for /healthz.
start_wrangler() {
	local port=$1 persist=$2 logfile=$3
	shift 3
	local inspector
	inspector=$(free_port)
	(cd "$WORKER_DIR" && exec setsid "$WRANGLER" dev --ip 127.0.0.1 --port "$port" --inspector-port "$inspector" \
		--persist-to "$persist" --show-interactive-dev-session=false --log-level "${WRANGLER_LOG_LEVEL:-warn}" "$@" >"$logfile" 2>&1) &
	WRANGLER_PID=$!
	local i
	for ((i = 0; i < 240; i++)); do
		if curl -fsS -o /dev/null --max-time 2 "http://127.0.0.1:$port/healthz" 2>/dev/null; then
			return 0
		fi
		if ! kill -0 "$WRANGLER_PID" 2>/dev/null; then
			log "wrangler dev exited; its log:"
			cat "$logfile" >&2
			return 1
		fi
		sleep 0.25
	done
	log "wrangler dev did not answer /healthz within 60s; its log:"
	cat "$logfile" >&2
	return 1
}

# stop_wrangler ends the process group started by start_wrangler (wrangler and its workerd).
stop_wrangler() {
	if [[ -n "${WRANGLER_PID:-}" ]]; then
		kill -TERM -- "-$WRANGLER_PID" 2>/dev/null || true
		local i
		for ((i = 0; i < 40; i++)); do
			kill -0 -- "-$WRANGLER_PID" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL -- "-$WRANGLER_PID" 2>/dev/null || true
		WRANGLER_PID=
	fi
}
