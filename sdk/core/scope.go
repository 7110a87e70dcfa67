package core

import "strings"

// GrantedScope is the scope a token response grants. RFC 6749 §5.1: the
// server may omit scope when it is identical to the scope requested; RFC 6749
// §6: a refresh that requests no scope asks for the scope originally granted.
// So an omitted scope is the requested one, or on a refresh without a scope
// parameter the previous grant's.
//
// Shared rule "refresh_scope".
func GrantedScope(response string, requested []string, previous string) string {
	if response != "" {
		return response
	}
	if joined, err := joinScopes(requested); err == nil && joined != "" {
		return joined
	}
	return previous
}

// KeptRefreshToken is the refresh token to hold after a refresh. RFC 6749 §6:
// the server MAY issue a new refresh token; without one the old stays valid.
//
// Shared rule "refresh_scope".
func KeptRefreshToken(response, previous string) string {
	if strings.TrimSpace(response) != "" {
		return response
	}
	return previous
}
