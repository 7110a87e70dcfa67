#!/usr/bin/env bash
# make worker-dev: serves the mock on the local Workers runtime (wrangler dev,
# offline, no login) at http://127.0.0.1:${PORT:-8787} with the built-in demo
# config. State persists in mockserver/worker/.wrangler/state between runs.
set -euo pipefail
source "$(dirname "$0")/worker-lib.sh"
port=${PORT:-8787}
ensure_wrangler
"$ROOT/scripts/build-worker.sh"
if [[ ! -f "$WORKER_DIR/.dev.vars" ]]; then
	# .dev.vars is git-ignored; a real key is never committed.
	log "writing mockserver/worker/.dev.vars with a new SIGNING_KEY"
	write_env_file "$WORKER_DIR/.dev.vars"
fi
persist="$WORKER_DIR/.wrangler/state"
apply_schema "$persist"
log "serving on http://127.0.0.1:$port (Ctrl-C stops) — try:"
log "  curl -s -u $(demo_credential client_id):$(demo_credential client_secret) -d grant_type=password -d username=$(demo_credential username) -d password=$(demo_credential password) http://127.0.0.1:$port/token"
cd "$WORKER_DIR"
exec "$WRANGLER" dev --ip 127.0.0.1 --port "$port" --inspector-port "$(free_port)" --persist-to "$persist" --show-interactive-dev-session=false
