package mockserver

import (
	"net/http"
	"strconv"
	"strings"
)

// Protected resource (RFC 9449 §7).

// resourceToken reads the access token and its scheme: DPoP (§7.1) or the
// RFC 6750 Bearer methods.
func resourceToken(r *http.Request) (tok, scheme, problem string) {
	if h := r.Header.Get("Authorization"); h != "" {
		name, cred, _ := strings.Cut(h, " ")
		if strings.EqualFold(name, "DPoP") {
			cred = strings.TrimSpace(cred)
			if cred == "" {
				return "", "DPoP", "empty DPoP credentials"
			}
			return cred, "DPoP", ""
		}
	}
	tok, problem = bearerToken(r)
	return tok, "Bearer", problem
}

// resourceChallenge is the WWW-Authenticate of a refusal: a DPoP challenge
// (RFC 9449 §7.1, with the accepted algs) for DPoP, else RFC 6750's.
func resourceChallenge(scheme, code, desc string) string {
	if scheme != "DPoP" {
		return bearerChallenge(code, desc)
	}
	return dpopChallenge(code, desc)
}

func dpopChallenge(code, desc string) string {
	v := `DPoP realm="` + defaultRealm + `"`
	if code != "" {
		v += `, error="` + code + `"`
		if desc != "" {
			v += `, error_description=` + strconv.Quote(sanitizeDescription(desc))
		}
	}
	return v + `, algs="` + strings.Join(DPoPSigningAlgs, " ") + `"`
}

// checkResourceDPoP enforces the binding at a protected resource: a bound
// token only with the DPoP scheme and a valid proof by its key (§7.1), an
// unbound token never with the DPoP scheme. It answers the refusal itself
// and reports whether the request may go on.
func (s *Server) checkResourceDPoP(w http.ResponseWriter, r *http.Request, st *state, tok, scheme, boundTo string) bool {
	refuse := func(code, desc string) bool {
		w.Header().Set("WWW-Authenticate", dpopChallenge(code, desc))
		writeJSON(w, http.StatusUnauthorized, errorBody(code, desc))
		return false
	}
	switch {
	case scheme != "DPoP" && boundTo != "":
		return refuse("invalid_token", "the access token is DPoP-bound; send it with the DPoP scheme and a proof")
	case scheme != "DPoP":
		return true
	case boundTo == "":
		return refuse("invalid_token", "the access token is not DPoP-bound; send it with the Bearer scheme")
	case len(r.Header.Values("DPoP")) == 0:
		return refuse("invalid_dpop_proof", "a DPoP proof is required with a DPoP-bound token")
	}
	jkt, fail := s.verifyDPoPProof(r, st, dpopRequest{accessToken: tok})
	if fail != nil {
		return refuse("invalid_dpop_proof", fail.reason)
	}
	// §4.3 check 12 (second half): the proof's key is the token's key.
	if jkt != boundTo {
		return refuse("invalid_dpop_proof", "the DPoP proof key is not the key the access token is bound to")
	}
	return true
}

// dpopConfirmation adds RFC 9449 §6 / RFC 7800 cnf to an introspection
// answer (§6.2) and marks the token type.
func dpopConfirmation(m map[string]any, jkt string, access bool) {
	if jkt == "" {
		return
	}
	m["cnf"] = map[string]string{"jkt": jkt}
	if access {
		m["token_type"] = "DPoP"
	}
}
