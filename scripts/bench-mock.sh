#!/usr/bin/env bash
# bench-mock.sh — throughput of the password grant, all figures from one run
# on the same machine: a bare net/http handler (parses the form, writes fixed
# JSON) as the baseline; ropc-mock with JWT access tokens (the default) and
# with opaque ones; and, as a peer, the same grant served by go-oauth2
# (github.com/go-oauth2/oauth2/v4) in both modes. Load comes from wrk over
# loopback; each server's own CPU time per request is read from /proc, which
# stays meaningful when other processes share the CPUs. Targets are rounds
# alternated in a rotating order; the summary takes the median round.
#
# It then states the bookkeeping: server CPU per JWT grant minus a bare
# request minus one signature (timed by mockserver/internal/grantcost, which
# also gives the same subtraction in process, handler only, by thread CPU
# time), and prints the CPU profile of ropc-mock's JWT run (saved to
# $PROFILE_OUT).
# Finally (RSS_GRANTS > 0) it issues that many grants to an in-process mock
# and prints the resident memory. Figures, not pass/fail.
#
# Env: DURATION (default 10s), THREADS (2), CONNECTIONS (32), ROUNDS (3),
# PROFILE_OUT (/tmp/ropc-mock-jwt.pprof), RSS_GRANTS (1000000; 0 skips),
# BASELINE_MOCK (a ropc-mock binary built from another revision, e.g.
#   git worktree add --detach /tmp/ropc-old main &&
#   (cd /tmp/ropc-old && go build -o /tmp/ropc-mock-old ./cmd/ropc-mock)
# : it joins the rotation in both modes, so a change is measured before and
# after in the same run).
# shellcheck source=scripts/lib.sh
source "$(dirname "$0")/lib.sh"

DURATION=${DURATION:-10s}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-32}
ROUNDS=${ROUNDS:-3}
PROFILE_OUT=${PROFILE_OUT:-/tmp/ropc-mock-jwt.pprof}
RSS_GRANTS=${RSS_GRANTS:-1000000}

if ! command -v wrk >/dev/null 2>&1; then
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null 2>&1 ||
			{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
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

"$GO" build -o "$work/ropc-mock" ./cmd/ropc-mock
"$GO" build -o "$work/barehandler" ./mockserver/internal/barehandler
"$GO" build -o "$work/grantcost" ./mockserver/internal/grantcost
"$GO" build -o "$work/grantsrss" ./mockserver/internal/grantsrss
# The peer is its own module, so its dependencies stay out of ropc's go.mod.
(cd scripts/peer-gooauth2 && "$GO" build -o "$work/peer-gooauth2" .)

client_id=$(demo_credential client_id)
client_secret=$(demo_credential client_secret)
username=$(demo_credential username)
password=$(demo_credential password)
peer_creds=(-client-id "$client_id" -client-secret "$client_secret" -username "$username" -password "$password")

# start NAME CMD... : run a server on a free port (in this shell, so its pid
# is recorded for cleanup); url_of NAME waits for its "serving URL" line.
declare -A pid_of
start() {
	local name=$1; shift
	"$@" >"$work/$name.out" 2>"$work/$name.err" &
	pids+=($!)
	pid_of[$name]=$!
}
url_of() {
	local url
	for _ in $(seq 200); do
		if url=$(grep -o 'http://[^ ]*' "$work/$1.out" 2>/dev/null | head -1) && [ -n "$url" ]; then
			echo "$url"; return 0
		fi
		sleep 0.05
	done
	echo "bench-mock: $1 did not start:" >&2; cat "$work/$1.err" >&2; return 1
}

cat >"$work/opaque.json" <<JSON
{"token_format": "opaque",
 "clients": [{"client_id": "$client_id", "client_secret": "$client_secret", "scopes": ["read", "write"]}],
 "users": [{"username": "$username", "password": "$password"}]}
JSON
start bare "$work/barehandler" -addr 127.0.0.1:0
start jwt "$work/ropc-mock" -addr 127.0.0.1:0 -key-file "$work/key.jwk" -log-level error -cpuprofile "$work/jwt.pprof"
start opaque "$work/ropc-mock" -addr 127.0.0.1:0 -config "$work/opaque.json" -key-file "" -log-level error
start peerjwt "$work/peer-gooauth2" -addr 127.0.0.1:0 -jwt "${peer_creds[@]}"
start peeropaque "$work/peer-gooauth2" -addr 127.0.0.1:0 "${peer_creds[@]}"
targets=(bare jwt opaque peerjwt peeropaque)
declare -A label=([bare]="bare net/http handler" [jwt]="ropc-mock, JWT" [opaque]="ropc-mock, opaque"
	[peerjwt]="go-oauth2, JWT (EdDSA)" [peeropaque]="go-oauth2, opaque"
	[basejwt]="baseline ropc-mock, JWT" [baseopaque]="baseline ropc-mock, opaque")
if [ -n "${BASELINE_MOCK:-}" ]; then
	start basejwt "$BASELINE_MOCK" -addr 127.0.0.1:0 -key-file "$work/key.jwk" -log-level error
	start baseopaque "$BASELINE_MOCK" -addr 127.0.0.1:0 -config "$work/opaque.json" -key-file "" -log-level error
	targets+=(basejwt baseopaque)
fi
declare -A url
for t in "${targets[@]}"; do url[$t]=$(url_of "$t"); done

# The demo credentials are plain tokens (no characters that need escaping).
body="grant_type=password&username=$username&password=$password&scope=read%20write&client_id=$client_id&client_secret=$client_secret"
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

# Sanity: every server really issues tokens for this body.
for t in "${targets[@]}"; do
	[ "$t" = bare ] && continue
	curl -fsS -X POST "${url[$t]}/token" -H 'Content-Type: application/x-www-form-urlencoded' --data "$body" | grep -q '"access_token"' ||
		{ echo "bench-mock: ${label[$t]} issued no token" >&2; exit 1; }
done

# cpu_ticks PID: user+system CPU time of a process, in clock ticks.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
tck=$(getconf CLK_TCK)

run() { # run URL PID -> "rps p50 p99 non200 server_cpu_us_per_request"
	local before after out
	before=$(cpu_ticks "$2")
	out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" -s "$work/post.lua" "$1" 2>&1 |
		sed -n 's/^RESULT rps=\([0-9]*\) p50_us=\([0-9]*\) p99_us=\([0-9]*\) non200=\([0-9]*\)$/\1 \2 \3 \4/p')
	after=$(cpu_ticks "$2")
	awk -v o="$out" -v d="${DURATION%s}" -v t=$((after - before)) -v hz="$tck" 'BEGIN {
		split(o, f, " "); n = f[1] * d; printf "%s %.1f\n", o, (n > 0 ? t / hz * 1e6 / n : 0) }'
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }
# median: the middle value, or the mean of the two middle ones.
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { m = int((NR + 1) / 2); print (NR % 2 ? v[m] : (v[m] + v[m + 1]) / 2) }'; }

echo "bench-mock: wrk -t$THREADS -c$CONNECTIONS -d$DURATION, $ROUNDS rounds, $(nproc) CPUs, $("$GO" env GOVERSION)"
declare -A rps_r cpu_r
sig_r=""
for round in $(seq "$ROUNDS"); do
	# Rotate the order so no target always runs first (or right after another).
	n=${#targets[@]}
	for i in $(seq 0 $((n - 1))); do
		t=${targets[$(((i + round - 1) % n))]}
		read -r rps p50 p99 err cpu <<<"$(run "${url[$t]}/token" "${pid_of[$t]}")"
		if [ "$err" != 0 ]; then echo "bench-mock: ${label[$t]} answered $err non-200 responses" >&2; exit 1; fi
		rps_r[$t]+="$rps "
		cpu_r[$t]+="$cpu "
		printf 'round %d  %-24s %7d req/s  p50 %6dus  p99 %7dus  server CPU %6.1fus/req\n' "$round" "${label[$t]}" "$rps" "$p50" "$p99" "$cpu"
		if [ "$t" = jwt ]; then
			# One signature, timed right after the JWT run: the machine's
			# speed drifts over minutes, and the subtraction should not mix
			# a fast spell with a slow one.
			s=$("$work/grantcost" -signature-only -rounds 15 -n 400 | sed -n 's/^grantcost: signature \([0-9.]*\) us$/\1/p')
			sig_r+="$s "
			printf 'round %d  %-24s %6.2fus (CPU time, in process)\n' "$round" "one signature" "$s"
		fi
	done
	b=$(echo ${rps_r[bare]} | awk '{ print $NF }')
	printf 'round %d  ratios to bare: JWT %s, opaque %s; go-oauth2 JWT %s, opaque %s\n' "$round" \
		"$(ratio "$(echo ${rps_r[jwt]} | awk '{ print $NF }')" "$b")" "$(ratio "$(echo ${rps_r[opaque]} | awk '{ print $NF }')" "$b")" \
		"$(ratio "$(echo ${rps_r[peerjwt]} | awk '{ print $NF }')" "$b")" "$(ratio "$(echo ${rps_r[peeropaque]} | awk '{ print $NF }')" "$b")"
done

declare -A rps cpu
for t in "${targets[@]}"; do
	# shellcheck disable=SC2086
	rps[$t]=$(median ${rps_r[$t]})
	# shellcheck disable=SC2086
	cpu[$t]=$(median ${cpu_r[$t]})
done
verdict() { awk -v v="$1" -v t="$2" -v op="$3" 'BEGIN { ok = (op == ">=" ? v >= t : v <= t); printf "%s", (ok ? "met" : "NOT met") }'; }
jwt_ratio=$(ratio "${rps[jwt]}" "${rps[bare]}")
opaque_ratio=$(ratio "${rps[opaque]}" "${rps[bare]}")
echo
echo "summary (median round of each target):"
for t in "${targets[@]}"; do
	printf '  %-24s %7d req/s  %5s of bare  server CPU %6.1fus/req\n' "${label[$t]}" "${rps[$t]}" "$(ratio "${rps[$t]}" "${rps[bare]}")" "${cpu[$t]}"
done
echo "  ropc-mock JWT:    $jwt_ratio of bare (target >= 0.45: $(verdict "$jwt_ratio" 0.45 ">=")); vs go-oauth2 JWT $(ratio "${rps[jwt]}" "${rps[peerjwt]}")x"
echo "  ropc-mock opaque: $opaque_ratio of bare (target >= 0.75: $(verdict "$opaque_ratio" 0.75 ">=")); vs go-oauth2 opaque $(ratio "${rps[opaque]}" "${rps[peeropaque]}")x"
# Throughput swings with whatever else runs on the machine; CPU per request
# much less. The same comparisons as CPU-time ratios (requests per CPU-second):
echo "  by server CPU per request: JWT $(ratio "${cpu[bare]}" "${cpu[jwt]}") of bare, opaque $(ratio "${cpu[bare]}" "${cpu[opaque]}") of bare;" \
	"vs go-oauth2 JWT $(ratio "${cpu[peerjwt]}" "${cpu[jwt]}")x, opaque $(ratio "${cpu[peeropaque]}" "${cpu[opaque]}")x"

"$work/grantcost" >"$work/grantcost.out"
sig=$(sed -n 's/^grantcost: signature \([0-9.]*\) us.*/\1/p' "$work/grantcost.out")
raw=$(sed -n 's/^grantcost: .*raw Ed25519 \([0-9.]*\) us.*/\1/p' "$work/grantcost.out")
# per_round TARGET [SIGNATURE]: CPU per grant - bare request - signature,
# round by round (a round's targets run back to back, and its signature is
# timed right after its JWT run), then the median: "b1 b2 ... | median".
# Without SIGNATURE each round's own signature is subtracted.
per_round() {
	local -a j b s
	local out="" i
	read -r -a j <<<"${cpu_r[$1]}"
	read -r -a b <<<"${cpu_r[bare]}"
	read -r -a s <<<"$sig_r"
	for i in "${!j[@]}"; do out+="$(awk -v j="${j[$i]}" -v b="${b[$i]}" -v s="${2:-${s[$i]}}" 'BEGIN { printf "%.1f", j - b - s }') "; done
	# shellcheck disable=SC2086
	echo "${out}| median $(median $out)"
}
rounds_book=$(per_round jwt)
book=${rounds_book##* }
# shellcheck disable=SC2086
echo "  bookkeeping (CPU per JWT grant - bare request - one signature, each round's own figures): ${rounds_book}us" \
	"(target <= 5us: $(verdict "$book" 5 "<=")); signatures timed: ${sig_r}(median $(median $sig_r)us)"
echo "  the same from the medians of all rounds: ${cpu[jwt]}us - ${cpu[bare]}us - ${sig}us (one signature, timed once after the rounds) =" \
	"$(awk -v j="${cpu[jwt]}" -v b="${cpu[bare]}" -v s="$sig" 'BEGIN { printf "%.1f", j - b - s }')us;" \
	"with the raw Ed25519 signature (${raw}us) instead: $(awk -v j="${cpu[jwt]}" -v b="${cpu[bare]}" -v s="$raw" 'BEGIN { printf "%.1f", j - b - s }')us"
if [ -n "${BASELINE_MOCK:-}" ]; then
	gsig=$(sed -n 's/^grantcost: .*go-jose Sign+CompactSerialize \([0-9.]*\) us.*/\1/p' "$work/grantcost.out")
	echo "  baseline ropc-mock: JWT $(ratio "${rps[basejwt]}" "${rps[bare]}") of bare, opaque $(ratio "${rps[baseopaque]}" "${rps[bare]}") of bare;" \
		"by server CPU per request: JWT $(ratio "${cpu[bare]}" "${cpu[basejwt]}"), opaque $(ratio "${cpu[bare]}" "${cpu[baseopaque]}")"
	# A baseline built before the mock signed with its compact signer signs
	# with go-jose's Signer and CompactSerialize, which costs more.
	echo "  baseline bookkeeping, each round's own figures: $(per_round basejwt)us" \
		"(for a baseline that signs with go-jose's Signer, subtract $(awk -v g="$gsig" -v s="$sig" 'BEGIN { printf "%.1f", g - s }')us more)"
fi
sed 's/^grantcost: /  /' "$work/grantcost.out"

# The JWT server's profile: stop it so it writes the profile, then show where
# its CPU went.
kill -TERM "${pid_of[jwt]}"
for _ in $(seq 100); do [ -s "$work/jwt.pprof" ] && ! kill -0 "${pid_of[jwt]}" 2>/dev/null && break; sleep 0.1; done
cp "$work/jwt.pprof" "$PROFILE_OUT"
# The same split from the profile of this run: the signature's share is
# measured in the very process, so machine load weighs on both sides alike.
cum_pct() { "$GO" tool pprof -top -cum -nodecount=400 "$work/ropc-mock" "$PROFILE_OUT" 2>/dev/null |
	awk -v f="$1" 'index($6, f) == 1 { sub("%", "", $5); print $5; exit }'; }
handler_pct=$(cum_pct 'github.com/ropcgo/ropc/mockserver.(*Server).ServeHTTP')
sign_pct=$(cum_pct 'github.com/ropcgo/ropc/mockserver.(*compactSigner).sign')
awk -v c="${cpu[jwt]}" -v b="${cpu[bare]}" -v h="${handler_pct:-0}" -v s="${sign_pct:-0}" 'BEGIN {
	printf "  where a JWT grant'"'"'s %.1fus went (profile shares of this run): signature %.1fus (%.1f%%), ropc handler code besides it %.1fus (%.1f%%),\n", c, c * s / 100, s, c * (h - s) / 100, h - s
	printf "    net/http + runtime + GC + kernel %.1fus (%.1f%%; a whole bare request: %.1fus); bookkeeping by these shares: %.1fus\n", c * (100 - h) / 100, 100 - h, b, c * (100 - s) / 100 - b }'
echo
echo "CPU profile of ropc-mock (JWT) over all rounds, saved to $PROFILE_OUT; top functions by own time:"
"$GO" tool pprof -top -nodecount=25 "$work/ropc-mock" "$PROFILE_OUT" 2>/dev/null | sed -n '/flat%/,$p'
echo
echo "time under ropc's own code (cumulative), signature and store included:"
"$GO" tool pprof -top -cum -focus='ropcgo/ropc/mockserver' -nodecount=20 "$work/ropc-mock" "$PROFILE_OUT" 2>/dev/null | sed -n '/flat%/,$p'

if [ "$RSS_GRANTS" -gt 0 ]; then
	echo
	for f in jwt opaque; do "$work/grantsrss" -n "$RSS_GRANTS" -format "$f"; done
fi
