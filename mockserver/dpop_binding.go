package mockserver

import (
	"context"
	"net/http"
	"strings"
)

// Token binding: the thumbprint travels with the token.

type dpopKeyCtx struct{}

// withDPoPKey records the thumbprint of the request's valid proof.
func withDPoPKey(ctx context.Context, jkt string) context.Context {
	return context.WithValue(ctx, dpopKeyCtx{}, jkt)
}

// dpopKeyOf is the thumbprint of the token request's proof, "" if none.
func dpopKeyOf(ctx context.Context) string {
	jkt, _ := ctx.Value(dpopKeyCtx{}).(string)
	return jkt
}

// bindID appends a thumbprint to a random id (base64url, no '.') so that
// stores keep the binding without a column of their own.
func bindID(id, jkt string) string {
	if jkt == "" {
		return id
	}
	return id + "." + jkt
}

// boundKey is the thumbprint bindID added, "" for an unbound id.
func boundKey(id string) string {
	_, jkt, _ := strings.Cut(id, ".")
	return jkt
}

// grantFamily is the family id of a new grant: RFC 9449 §5 binds the
// refresh tokens of public clients to the proof's key; a confidential
// client's stay bound to its credentials only.
func grantFamily(ctx context.Context, client *clientEntry, id string) string {
	if client.Public {
		return bindID(id, dpopKeyOf(ctx))
	}
	return id
}

// checkRefreshBinding applies RFC 9449 §5 to a refresh: a bound refresh
// token needs a proof with the same key.
func checkRefreshBinding(ctx context.Context, family string) *oauthError {
	bound := boundKey(family)
	if bound == "" {
		return nil
	}
	switch jkt := dpopKeyOf(ctx); {
	case jkt == "":
		return errInvalidGrant("the refresh token is bound to a DPoP key; send a DPoP proof made with it")
	case jkt != bound:
		return errInvalidGrant("the refresh token is bound to another DPoP key")
	}
	return nil
}

// tokenTypeFor is the token_type of a token response: DPoP for a bound
// token (RFC 9449 §5), else Bearer.
func tokenTypeFor(ctx context.Context) string {
	if dpopKeyOf(ctx) != "" {
		return "DPoP"
	}
	return "Bearer"
}

// tokenEndpointDPoP runs before the grant: it checks the proof against the
// client's DPoP settings and returns the request with the proof's key in its
// context. A nonce client gets a fresh DPoP-Nonce on every answer (§8.2).
func (s *Server) tokenEndpointDPoP(w http.ResponseWriter, r *http.Request, st *state, client *clientEntry) (*http.Request, *oauthError) {
	if client.DPoP == DPoPIgnored {
		return r, nil
	}
	// Okta demands a nonce in every proof ("the first token request always
	// gets use_dpop_nonce"); elsewhere the client's dpop_nonce decides.
	nonces := client.DPoPNonce || (st.cfg.Profile == ProfileOkta && len(r.Header.Values("DPoP")) > 0)
	if nonces {
		w.Header().Set("DPoP-Nonce", s.newDPoPNonce(st))
	}
	jkt, fail := s.verifyDPoPProof(r, st, dpopRequest{requireNonce: nonces})
	switch {
	case fail != nil && fail.nonce:
		// RFC 9449 §8: 400 use_dpop_nonce, with the nonce to use set above.
		return r, &oauthError{status: http.StatusBadRequest, code: "use_dpop_nonce", description: fail.reason}
	case fail != nil:
		return r, errInvalidDPoPProof(fail.reason)
	case jkt == "" && client.DPoP == DPoPRequired:
		return r, errInvalidDPoPProof("this client must send a DPoP proof")
	case jkt == "":
		return r, nil
	}
	return r.WithContext(withDPoPKey(r.Context(), jkt)), nil
}

// errInvalidDPoPProof is RFC 9449 §5's token endpoint error.
func errInvalidDPoPProof(reason string) *oauthError {
	return &oauthError{status: http.StatusBadRequest, code: "invalid_dpop_proof", description: reason}
}

// profileSupportsDPoP says whether a provider profile binds tokens to DPoP
// proofs as the provider does: Keycloak (GA since 26.4, every grant), Okta
// and Auth0 (Early Access, ES256 and Ed25519) do; Microsoft Entra ID
// documents no DPoP at its token endpoint, so its profile ignores the
// header and issues Bearer tokens, as the real one would.
func profileSupportsDPoP(st *state) bool { return st.cfg.Profile != ProfileEntra }
