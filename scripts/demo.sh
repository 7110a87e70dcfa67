#!/usr/bin/env bash
# make demo: build ropc-mock and ropc into ./bin, start the mock on a free
# loopback port with its built-in demo config, and walk the ropc CLI through
# the password grant: token -> GET /userinfo -> refresh -> revoke, printing
# each step. Exits non-zero if any step does not behave as expected.
# Needs only Go and loopback networking (plus the Go module cache for the build).
set -euo pipefail

cd "$(dirname "$0")/.."
export GOFLAGS="${GOFLAGS:--buildvcs=false}"

# Built-in demo credentials of ropc-mock (mockserver.DefaultConfig).
CLIENT_ID=client_id
USERNAME=johndoe
PASSWORD=A3ddj3w
export ROPC_CLIENT_SECRET=client_secret

bold() { if [ -t 1 ]; then printf '\n\033[1m%s\033[0m\n' "$*"; else printf '\n%s\n' "$*"; fi; }
die() { printf 'demo: FAILED: %s\n' "$*" >&2; exit 1; }

bold "==> building bin/ropc-mock and bin/ropc"
mkdir -p bin
go build -o bin/ropc-mock ./cmd/ropc-mock
go build -o bin/ropc ./cmd/ropc

work="$(mktemp -d)"
mock_pid=""
cleanup() {
	if [ -n "$mock_pid" ] && kill -0 "$mock_pid" 2>/dev/null; then
		kill "$mock_pid" 2>/dev/null || true
		wait "$mock_pid" 2>/dev/null || true
	fi
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

bold "==> starting ropc-mock on a free loopback port (built-in demo config)"
# -key-file '': a throwaway signing key, so the demo leaves nothing behind.
bin/ropc-mock -addr 127.0.0.1:0 -key-file '' -log-level warn >"$work/mock.out" 2>"$work/mock.err" &
mock_pid=$!
issuer=""
for _ in $(seq 1 100); do
	if ! kill -0 "$mock_pid" 2>/dev/null; then
		cat "$work/mock.err" >&2
		die "ropc-mock exited during start-up"
	fi
	line="$(head -n 1 "$work/mock.out" 2>/dev/null || true)"
	case "$line" in
	"ropc-mock: serving "*) issuer="${line#ropc-mock: serving }"; break ;;
	esac
	sleep 0.1
done
[ -n "$issuer" ] || die "ropc-mock did not report its address within 10s"
echo "issuer: $issuer"
common=(--client-id "$CLIENT_ID" --timeout 10s)

bold "==> 1. ropc token: password grant for $USERNAME (password on stdin, client secret from \$ROPC_CLIENT_SECRET)"
echo "\$ printf '%s\\n' \"\$PASSWORD\" | ropc token --token-url $issuer/token --client-id $CLIENT_ID --username $USERNAME --password-stdin --scope 'read write'"
printf '%s\n' "$PASSWORD" |
	bin/ropc token --token-url "$issuer/token" "${common[@]}" --username "$USERNAME" --password-stdin --scope "read write" >"$work/token.json" ||
	die "ropc token"
cat "$work/token.json"

bold "==> 2. ropc get: GET /userinfo with the access token"
echo "\$ ropc get $issuer/userinfo --token-url $issuer/token --client-id $CLIENT_ID --token-stdin < token.json"
bin/ropc get "$issuer/userinfo" --token-url "$issuer/token" "${common[@]}" --token-stdin <"$work/token.json" >"$work/userinfo.json" ||
	die "ropc get /userinfo"
cat "$work/userinfo.json"
echo
grep -q "\"$USERNAME\"" "$work/userinfo.json" || die "/userinfo did not return $USERNAME"

bold "==> 3. ropc refresh: new tokens from the refresh token (endpoint discovered from the issuer, RFC 8414)"
echo "\$ ropc refresh --issuer $issuer --client-id $CLIENT_ID --refresh-token-stdin < token.json"
bin/ropc refresh --issuer "$issuer" "${common[@]}" --refresh-token-stdin <"$work/token.json" >"$work/refreshed.json" ||
	die "ropc refresh"
cat "$work/refreshed.json"
cmp -s "$work/token.json" "$work/refreshed.json" && die "refresh returned the same tokens"

bold "==> 4. ropc revoke: revoke the new refresh token (RFC 7009)"
echo "\$ ropc revoke --issuer $issuer --client-id $CLIENT_ID --token-stdin --hint refresh_token < refreshed.json"
bin/ropc revoke --issuer "$issuer" "${common[@]}" --token-stdin --hint refresh_token <"$work/refreshed.json" ||
	die "ropc revoke"

bold "==> 5. the revoked refresh token no longer works (expect exit 1 and an OAuth error on stderr)"
set +e
bin/ropc refresh --issuer "$issuer" "${common[@]}" --refresh-token-stdin <"$work/refreshed.json" >/dev/null 2>"$work/err.json"
rc=$?
set -e
cat "$work/err.json"
[ "$rc" -eq 1 ] || die "refresh with a revoked token exited $rc, want 1"
grep -q '"invalid_grant"' "$work/err.json" || die "refresh with a revoked token did not report invalid_grant"

bold "==> 6. DPoP (RFC 9449): a token bound to a key in dpop.jwk (created, mode 0600), public client public-client"
dpop=(--token-url "$issuer/token" --client-id public-client --auth none --timeout 10s --dpop-key "$work/dpop.jwk")
echo "\$ ropc token --token-url $issuer/token --client-id public-client --auth none --dpop-key dpop.jwk --username $USERNAME --password-stdin"
printf '%s\n' "$PASSWORD" | bin/ropc token "${dpop[@]}" --username "$USERNAME" --password-stdin >"$work/dpop-token.json" ||
	die "ropc token --dpop-key"
cat "$work/dpop-token.json"
grep -q '"token_type": *"DPoP"' "$work/dpop-token.json" || die "the token is not DPoP-bound"
echo "\$ ropc get $issuer/userinfo ... --dpop-key dpop.jwk --token-stdin < dpop-token.json   # Authorization: DPoP + proof"
bin/ropc get "$issuer/userinfo" "${dpop[@]}" --token-stdin <"$work/dpop-token.json" >"$work/dpop-userinfo.json" ||
	die "ropc get /userinfo with DPoP"
cat "$work/dpop-userinfo.json"
echo
bold "==> 7. the bound refresh token is useless with another key (expect exit 1, invalid_grant)"
set +e
bin/ropc refresh --token-url "$issuer/token" --client-id public-client --auth none --timeout 10s --dpop-key "$work/other.jwk" \
	--refresh-token-stdin <"$work/dpop-token.json" >/dev/null 2>"$work/dpop-err.json"
rc=$?
set -e
cat "$work/dpop-err.json"
[ "$rc" -eq 1 ] || die "refresh with another DPoP key exited $rc, want 1"
grep -q '"invalid_grant"' "$work/dpop-err.json" || die "refresh with another DPoP key did not report invalid_grant"

bold "==> demo passed: token, userinfo, refresh, revoke and DPoP all worked against ropc-mock at $issuer"
