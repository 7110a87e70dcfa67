#!/usr/bin/env bash
# make demo: build ropc-mock and ropc into ./bin, start the mock on a free
# loopback port with its built-in demo config, and walk the ropc CLI through
# discovery and the password grant: discover -> token -> GET /userinfo ->
# introspect -> refresh -> revoke, printing each step. Exits non-zero if any step does not behave as expected.
# Needs only Go and loopback networking (plus the Go module cache for the build).
source "$(dirname "$0")/lib.sh"

# The built-in demo credentials of ropc-mock (mockserver/demo.json).
CLIENT_ID=$(demo_credential client_id)
USERNAME=$(demo_credential username)
PASSWORD=$(demo_credential password)
ROPC_CLIENT_SECRET=$(demo_credential client_secret)
export ROPC_CLIENT_SECRET

bold() { if [ -t 1 ]; then printf '\n\033[1m%s\033[0m\n' "$*"; else printf '\n%s\n' "$*"; fi; }

bold "==> building bin/ropc-mock and bin/ropc"
build_mock
"$GO" build -o bin/ropc ./cmd/ropc

work="$(mktemp -d)"
cleanup() {
	stop_mock
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

bold "==> starting ropc-mock on a free loopback port (built-in demo config)"
# A throwaway signing key (start_mock), so the demo leaves nothing behind.
start_mock "$work" -log-level warn
issuer=$MOCK_URL
echo "issuer: $issuer"
common=(--client-id "$CLIENT_ID" --timeout 10s)

bold "==> 0. ropc discover: the server's metadata (RFC 8414)"
echo "\$ ropc discover --issuer $issuer"
bin/ropc discover --issuer "$issuer" --timeout 10s >"$work/metadata.json" || die "ropc discover"
cat "$work/metadata.json"
grep -q "\"token_endpoint\":\"$issuer/token\"" "$work/metadata.json" || die "the metadata names no token endpoint"

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

bold "==> 2b. ropc introspect: ask the server whether the access token is active (RFC 7662)"
echo "\$ ropc introspect --issuer $issuer --client-id $CLIENT_ID --token-stdin < token.json"
bin/ropc introspect --issuer "$issuer" "${common[@]}" --token-stdin <"$work/token.json" >"$work/introspection.json" ||
	die "ropc introspect"
cat "$work/introspection.json"
grep -q '"active":true' "$work/introspection.json" || die "the new access token is not active"

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

bold "==> 6. a saved session: ropc token --save, then get, refresh and logout by name"
# --store file keeps the demo independent of a desktop keychain (the default, --store keychain);
# its files go to a throwaway config directory.
export XDG_CONFIG_HOME="$work/config" XDG_CACHE_HOME="$work/cache"
echo "\$ printf '%s\\n' \"\$PASSWORD\" | ropc token --issuer $issuer --client-id $CLIENT_ID --username $USERNAME --password-stdin --save demo --store file"
printf '%s\n' "$PASSWORD" |
	bin/ropc token --issuer "$issuer" "${common[@]}" --username "$USERNAME" --password-stdin --save demo --store file >"$work/saved.json" ||
	die "ropc token --save"
cat "$work/saved.json"
grep -q '"saved":"demo"' "$work/saved.json" || die "ropc token --save printed no summary"
grep -q 'access_token' "$work/saved.json" && die "the summary shows a token"
echo "\$ ropc get $issuer/userinfo --from demo --store file"
bin/ropc get "$issuer/userinfo" --from demo --store file --timeout 10s | grep -q "\"$USERNAME\"" || die "ropc get --from"
echo "\$ ropc refresh --from demo --store file --force"
bin/ropc refresh --from demo --store file --force --timeout 10s | tee "$work/saved-refresh.json"
grep -q '"refreshed":true' "$work/saved-refresh.json" || die "ropc refresh --from"
echo "\$ ropc logout --from demo --store file"
bin/ropc logout --from demo --store file --timeout 10s | tee "$work/logout.json"
grep -q '"revoked":true' "$work/logout.json" || die "ropc logout did not revoke"

bold "==> 7. DPoP (RFC 9449): a token bound to a key in dpop.jwk (created, mode 0600), public client public-client"
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
bold "==> 8. the bound refresh token is useless with another key (expect exit 1, invalid_grant)"
set +e
bin/ropc refresh --token-url "$issuer/token" --client-id public-client --auth none --timeout 10s --dpop-key "$work/other.jwk" \
	--refresh-token-stdin <"$work/dpop-token.json" >/dev/null 2>"$work/dpop-err.json"
rc=$?
set -e
cat "$work/dpop-err.json"
[ "$rc" -eq 1 ] || die "refresh with another DPoP key exited $rc, want 1"
grep -q '"invalid_grant"' "$work/dpop-err.json" || die "refresh with another DPoP key did not report invalid_grant"

bold "==> demo passed: discover, token, userinfo, introspect, refresh, revoke, a saved session and DPoP all worked against ropc-mock at $issuer"
