#!/usr/bin/env bash
# make bench (part): the Workers build's figures, next to their targets.
# Figures, not pass/fail. One `wrangler dev` session serves four workers:
#   floor        a plain JavaScript worker (mockserver/worker/bench/floor.mjs);
#   D1 floor     a plain JavaScript worker that runs a grant's D1 statements
#                (bench/d1floor.mjs): what local D1 costs any worker;
#   per isolate  the Go worker as built (entry.mjs: one Go instance per isolate);
#   per request  the same app.wasm behind github.com/syumai/workers' generated
#                entry module, which starts a Go instance for every request
#                (what the worker did before entry.mjs), as the baseline.
# The per-request baseline runs in a second session beside the floor only: its
# start-up churn (a fresh WebAssembly memory per request) would otherwise land
# in its neighbours' figures. Each is measured on the runtime's own socket (wrangler's proxy in front of it
# adds the same hop to every worker; the floor is also measured through it to
# show that hop): one-at-a-time GET /healthz and password grants, blocks of
# requests taking turns, wall time (median, p99) and the CPU time of the
# workerd process that runs the workers, per request (/proc schedstat; it
# includes local D1's SQLite work, which on Cloudflare runs elsewhere).
# The first request of a new isolate (cold start) is measured over fresh
# sessions. The native ropc-mock is measured the same way beside them.
# Env: N (requests per worker and endpoint, default 300), WARMUP (unmeasured
# requests per worker and endpoint first, default 500: V8 keeps optimising the
# Go code over the first several hundred requests, and a deployed mock serves
# most requests from a warm isolate), COLD (fresh sessions per cold-start
# figure, default 3).
set -euo pipefail
source "$(dirname "$0")/worker-lib.sh"
n=${N:-300}
cold=${COLD:-3}
warmup=${WARMUP:-500}
ensure_wrangler
"$ROOT/scripts/build-worker.sh" 2>/dev/null

tmp=$(mktemp -d "${TMPDIR:-/tmp}/ropc-worker-bench.XXXXXX")
native_pid=
cleanup() {
	stop_wrangler
	if [[ -n "$native_pid" ]]; then kill "$native_pid" 2>/dev/null || true; fi
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

cd "$ROOT"
go build -o "$tmp/latency" ./mockserver/worker/internal/latency
go build -o "$tmp/ropc-mock" ./cmd/ropc-mock

wasm=mockserver/worker/build/app.wasm
raw=$(stat -c %s "$wasm")
gz=$(gzip -9 -c "$wasm" | wc -c)
verdict() { awk -v v="$1" -v t="$2" 'BEGIN{print (v<=t)?"met":"MISSED"}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.2f", a/b}'; }
echo "worker app.wasm: $(awk -v b="$raw" 'BEGIN{printf "%.2f MB", b/1e6}') raw, $(awk -v b="$gz" 'BEGIN{printf "%.2f MB", b/1e6}') gzipped (target <= 3 MB gzipped: $(verdict "$gz" 3e6))"

# The session's primary worker is the floor: wrangler dev's readiness probe
# (start_wrangler) then starts no Go instance, so the Go worker's first request
# is a cold start. Secondary workers do not see --env-file; each gets its
# secrets from a .dev.vars beside a copy of its config.
write_env_file "$tmp/bench.env"
go_config() { # DIR NAME MAIN
	mkdir -p "$1"
	sed -e "s|^name = .*|name = \"$2\"|" -e "s|^main = .*|main = \"$3\"|" "$WORKER_DIR/wrangler.toml" >"$1/wrangler.toml"
	cp "$tmp/bench.env" "$1/.dev.vars"
}
go_config "$tmp/isolate" ropc-mock "$WORKER_DIR/build/worker.mjs"
go_config "$tmp/request" ropc-mock-per-request "$WORKER_DIR/build/generated/worker.mjs"
floor=(-c "$WORKER_DIR/bench/floor.toml")
d1floor=(-c "$WORKER_DIR/bench/d1floor.toml")
isolate=(-c "$tmp/isolate/wrangler.toml")
request=(-c "$tmp/request/wrangler.toml")

# session NAME ARGS...: starts wrangler dev on a fresh state and sets PUBLIC_URL, RT_PID and RT_URL.
session() {
	local name=$1 port
	shift
	apply_schema "$tmp/$name.state"
	port=$(free_port)
	PUBLIC_URL="http://127.0.0.1:$port"
	start_wrangler "$port" "$tmp/$name.state" "$tmp/$name.log" "$@"
	local rt
	rt=$(node "$WORKER_DIR/bench/runtime.mjs" "$WRANGLER_PID" ropc-mock-floor)
	RT_PID=${rt% *}
	RT_URL="http://127.0.0.1:${rt#* }"
}

# Cold starts: the first request to the Go worker in fresh sessions, healthz
# and grant in turn.
: >"$tmp/cold.tsv"
for ((i = 0; i < 2 * cold; i++)); do
	endpoint=healthz
	((i % 2)) && endpoint=grant
	session "cold$i" "${floor[@]}" "${isolate[@]}"
	"$tmp/latency" -url "$RT_URL" -worker "isolate=ropc-mock" -cpu-pid "$RT_PID" -first "$endpoint" -tsv "$tmp/one.tsv" >/dev/null
	cat "$tmp/one.tsv" >>"$tmp/cold.tsv"
	stop_wrangler
done

session warm "${floor[@]}" "${d1floor[@]}" "${isolate[@]}"
echo "local wrangler dev, $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg); after $warmup warm-up requests each; CPU = the workerd process that runs the workers, per request"
"$tmp/latency" -url "$RT_URL" -n "$n" -warmup "$warmup" -cpu-pid "$RT_PID" -tsv "$tmp/warm.tsv" \
	-worker "floor (plain JS worker)=ropc-mock-floor" \
	-worker "D1 floor (plain JS worker, a grant's D1 statements)=ropc-mock-d1floor" \
	-worker "Go, one instance per isolate=ropc-mock"
"$tmp/latency" -url "$PUBLIC_URL" -n "$((n / 3 + 1))" -tsv "$tmp/proxy.tsv" -label "floor through wrangler's proxy (public port)"
stop_wrangler
session baseline "${floor[@]}" "${request[@]}"
echo "second session, load average $(cut -d' ' -f1-3 /proc/loadavg):"
"$tmp/latency" -url "$RT_URL" -n "$((n / 3 + 1))" -warmup "$((warmup / 10 + 1))" -cpu-pid "$RT_PID" -tsv "$tmp/baseline.tsv" \
	-worker "floor (plain JS worker)=ropc-mock-floor" \
	-worker "Go, instance per request (generated entry)=ropc-mock-per-request"
stop_wrangler

# field FILE LABEL ENDPOINT COLUMN: a figure of a TSV from latency (4 wall median, 6 CPU).
field() { awk -F'\t' -v l="$2" -v e="$3" -v c="$4" 'index($1, l) == 1 && $2 == e {print $c}' "$1"; }
# cold_median ENDPOINT COLUMN: the median over the cold sessions.
cold_median() {
	awk -F'\t' -v e="first $1" -v c="$2" '$2 == e {print $c}' "$tmp/cold.tsv" | sort -g |
		awk '{v[NR]=$1} END{print v[int((NR+1)/2)]}'
}
minus() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.2f", a-b}'; }
echo
echo "Targets (medians, this run):"
for e in healthz grant; do
	w=$tmp/warm.tsv b=$tmp/baseline.tsv
	f=$(field "$w" floor "$e" 4) d=$(field "$w" "D1 floor" "$e" 4) g=$(field "$w" "Go, one" "$e" 4)
	fc=$(field "$w" floor "$e" 6) dc=$(field "$w" "D1 floor" "$e" 6) gc=$(field "$w" "Go, one" "$e" 6)
	bf=$(field "$b" floor "$e" 4) r=$(field "$b" "Go, instance per" "$e" 4) bfc=$(field "$b" floor "$e" 6) rc=$(field "$b" "Go, instance per" "$e" 6)
	target=1.5
	[[ $e == grant ]] && target=3
	echo "  $e: per isolate $g ms = $(ratio "$g" "$f")x the floor's $f ms (target <= ${target}x: $(verdict "$(ratio "$g" "$f")" "$target")); per request $r ms = $(ratio "$r" "$bf")x its session's floor"
	echo "  $e CPU: per isolate $gc ms = $(ratio "$gc" "$fc")x the floor's $fc ms ($(minus "$gc" "$fc") ms above it); per request $rc ms ($(minus "$rc" "$bfc") ms above its floor)"
	if [[ $e == grant ]]; then
		echo "  grant over the D1 floor: per isolate $g ms = $(ratio "$g" "$d")x its $d ms wall; CPU $gc ms = $(minus "$gc" "$dc") ms above its $dc ms"
	fi
	cw=$(cold_median "$e" 4) cc=$(cold_median "$e" 6)
	echo "  $e cold start (first request of a new isolate, median of $cold): $cw ms wall, $cc ms CPU = $(ratio "$cw" "$r")x the per-request figure $r ms (target < 2x: $(awk -v a="$cw" -v b="$r" 'BEGIN{print (a<2*b)?"met":"MISSED"}')); CPU $(ratio "$cc" "$rc")x"
done
hop=$(minus "$(field "$tmp/proxy.tsv" floor healthz 4)" "$(field "$tmp/warm.tsv" floor healthz 4)")
echo "  wrangler's proxy (public port) adds $hop ms to every request of every worker (floor healthz through it: $(field "$tmp/proxy.tsv" floor healthz 4) ms)"
echo

"$tmp/ropc-mock" -addr 127.0.0.1:0 -key-file '' -log-level error >"$tmp/native.out" 2>"$tmp/native.err" &
native_pid=$!
url=
for _ in $(seq 100); do
	url=$(grep -o 'http://[^ ]*' "$tmp/native.out" 2>/dev/null | head -1 || true)
	[[ -n "$url" ]] && break
	sleep 0.05
done
if [[ -z "$url" ]]; then
	log "native ropc-mock did not start:"
	cat "$tmp/native.err" >&2
	exit 1
fi
"$tmp/latency" -url "$url" -n "$n" -cpu-pid "$native_pid" -label "native ropc-mock (memory store)"
