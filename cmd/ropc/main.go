// Command ropc is a command-line client for the OAuth 2.0 Resource Owner
// Password Credentials grant (RFC 6749 §4.3), built on package sdk.
//
//	ropc token   --token-url URL --client-id ID --username NAME --password-stdin
//	ropc refresh --token-url URL --client-id ID --refresh-token-stdin
//	ropc revoke  --issuer URL --client-id ID --token-stdin [--hint refresh_token]
//	ropc get URL --token-url URL --client-id ID --token-stdin
//	ropc introspect --issuer URL --client-id ID --token-stdin [--hint access_token]
//	ropc discover --issuer URL
//	ropc token   ... --save NAME        keep the session in the OS keychain (--store file: a 0600 file)
//	ropc get URL --from NAME            ropc refresh --from NAME    ropc logout --from NAME
//
// The client secret comes from ROPC_CLIENT_SECRET or --client-secret-file,
// never from a flag (flags show up in ps and shell history). Output is JSON
// on stdout; exit codes are 0 success, 1 OAuth error (JSON on stderr), 2 usage
// error, 3 anything else (network, timeout, refused redirect, oversized or
// malformed response, non-OAuth HTTP status).
package main

import "os"

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Getenv))
}
