#!/usr/bin/env bash
# bench-mock.sh — load the real ropc-mock over loopback with wrk (password
# grant: client auth, lockout bookkeeping, JWT signing, refresh-token
# issuance) and, in the same run, a bare net/http handler that only parses
# the form and writes fixed JSON. Prints req/s of both, the ratio, p50/p99
# latency and each server's own CPU time per request (from /proc, robust when
# other processes share the CPUs), plus the same grant in opaque-token mode
# to show what the JWT signature costs. Figures, not pass/fail. Env: DURATION (default 10s), THREADS (2),
# CONNECTIONS (32), ROUNDS (2, alternating targets to even out noise).
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-10s}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-32}
ROUNDS=${ROUNDS:-2}

if ! command -v wrk >/dev/null 2>&1; then
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
	else
		echo "bench-mock: wrk is required (apt-get install wrk)" >&2
		exit 1
	fi
fi

work=$(mktemp -d)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT

go build -o "$work/ropc-mock" ./cmd/ropc-mock
go build -o "$work/barehandler" ./mockserver/internal/barehandler

# start NAME CMD... : run a server on a free port (in this shell, so its pid
# is recorded for cleanup); url_of NAME waits for its "serving URL" line.
start() {
	local name=$1; shift
	"$@" >"$work/$name.out" 2>"$work/$name.err" &
	pids+=($!)
}
url_of() {
	local url
	for _ in $(seq 100); do
		if url=$(grep -o 'http://[^ ]*' "$work/$1.out" 2>/dev/null | head -1) && [ -n "$url" ]; then
			echo "$url"; return 0
		fi
		sleep 0.05
	done
	echo "bench-mock: $1 did not start:" >&2; cat "$work/$1.err" >&2; return 1
}

start mock "$work/ropc-mock" -addr 127.0.0.1:0 -key-file "$work/key.jwk" -log-level error
mock_pid=$!
start bare "$work/barehandler" -addr 127.0.0.1:0
bare_pid=$!
# For comparison only: the same grant with opaque access tokens (no JWT
# signature), which shows what the signature costs.
cat >"$work/opaque.json" <<JSON
{"token_format": "opaque",
 "clients": [{"client_id": "client_id", "client_secret": "client_secret", "scopes": ["read", "write"]}],
 "users": [{"username": "johndoe", "password": "A3ddj3w"}]}
JSON
start opaque "$work/ropc-mock" -addr 127.0.0.1:0 -config "$work/opaque.json" -key-file "" -log-level error
opaque_pid=$!
mock_url=$(url_of mock)
bare_url=$(url_of bare)
opaque_url=$(url_of opaque)

body='grant_type=password&username=johndoe&password=A3ddj3w&scope=read%20write&client_id=client_id&client_secret=client_secret'
cat >"$work/post.lua" <<LUA
wrk.method = "POST"
wrk.body = "$body"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
-- No per-response Lua callback: it would make wrk, not the server, the
-- bottleneck. Non-2xx answers are counted by wrk itself (errors.status).
done = function(summary, latency, requests)
  io.write(string.format("RESULT rps=%.0f p50_us=%d p99_us=%d non200=%d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50), latency:percentile(99),
    summary.errors.status))
end
LUA

# Sanity: the mock really issues tokens for this body.
curl -fsS -X POST "$mock_url/token" -H 'Content-Type: application/x-www-form-urlencoded' --data "$body" | grep -q '"access_token"'

# cpu_ticks PID: user+system CPU time of a process, in clock ticks.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
tck=$(getconf CLK_TCK)

run() { # run URL PID -> "rps p50 p99 non200 server_cpu_us_per_request"
	local before after out
	before=$(cpu_ticks "$2")
	out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" -s "$work/post.lua" "$1" 2>&1 |
		sed -n 's/^RESULT rps=\([0-9]*\) p50_us=\([0-9]*\) p99_us=\([0-9]*\) non200=\([0-9]*\)$/\1 \2 \3 \4/p')
	after=$(cpu_ticks "$2")
	# requests = rps * duration; CPU per request from the server's own counters,
	# which stays meaningful when other processes compete for the CPUs.
	awk -v o="$out" -v d="${DURATION%s}" -v t=$((after - before)) -v hz="$tck" 'BEGIN {
		split(o, f, " "); n = f[1] * d; printf "%s %.1f\n", o, (n > 0 ? t / hz * 1e6 / n : 0) }'
}

echo "bench-mock: wrk -t$THREADS -c$CONNECTIONS -d$DURATION, $ROUNDS rounds, $(nproc) CPUs, $(go env GOVERSION)"
best_mock=0 best_bare=0 best_opaque=0 mock_line="" bare_line=""
for round in $(seq "$ROUNDS"); do
	read -r b_rps b_p50 b_p99 b_err b_cpu <<<"$(run "$bare_url/token" "$bare_pid")"
	read -r m_rps m_p50 m_p99 m_err m_cpu <<<"$(run "$mock_url/token" "$mock_pid")"
	printf 'round %d  bare: %6d req/s p50 %5dus p99 %6dus cpu %5.1fus/req | ropc-mock password grant: %6d req/s p50 %5dus p99 %6dus cpu %5.1fus/req non-200 %d | %s%%\n' \
		"$round" "$b_rps" "$b_p50" "$b_p99" "$b_cpu" "$m_rps" "$m_p50" "$m_p99" "$m_cpu" "$m_err" \
		"$(awk -v m="$m_rps" -v b="$b_rps" 'BEGIN { printf "%.1f", (b > 0 ? 100 * m / b : 0) }')"
	if [ "$b_rps" -gt "$best_bare" ]; then best_bare=$b_rps; bare_line="p50 ${b_p50}us p99 ${b_p99}us, server CPU ${b_cpu}us/req"; fi
	if [ "$m_rps" -gt "$best_mock" ]; then best_mock=$m_rps; mock_line="p50 ${m_p50}us p99 ${m_p99}us, server CPU ${m_cpu}us/req"; fi
	read -r o_rps o_p50 o_p99 o_err o_cpu <<<"$(run "$opaque_url/token" "$opaque_pid")"
	printf '         (opaque-token mode, for comparison: %6d req/s p50 %5dus p99 %6dus cpu %5.1fus/req)\n' "$o_rps" "$o_p50" "$o_p99" "$o_cpu"
	if [ "$o_rps" -gt "$best_opaque" ]; then best_opaque=$o_rps; fi
	if [ "$m_err" != 0 ] || [ "$o_err" != 0 ]; then echo "bench-mock: the mock answered $m_err + $o_err non-200 responses" >&2; exit 1; fi
done
ratio=$(awk -v m="$best_mock" -v b="$best_bare" 'BEGIN { printf "%.1f", (b > 0 ? 100 * m / b : 0) }')
echo "bare net/http handler:      $best_bare req/s ($bare_line)"
echo "ropc-mock password grant:   $best_mock req/s ($mock_line)"
echo "ratio (best round of each): ${ratio}% of bare (target >= 60%)"
echo "opaque-token mode (no JWT signature): $best_opaque req/s, $(awk -v m="$best_opaque" -v b="$best_bare" 'BEGIN { printf "%.1f", (b > 0 ? 100 * m / b : 0) }')% of bare"
