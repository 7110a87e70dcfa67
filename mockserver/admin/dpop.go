package admin

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"github.com/ropcgo/ropc/mockserver"
)

// DPoP (RFC 9449) in fault rules and the journal.

// DPoP error codes: RFC 9449 §5 (invalid_dpop_proof) and §8 (use_dpop_nonce).
const (
	codeInvalidDPoPProof = "invalid_dpop_proof"
	codeUseDPoPNonce     = "use_dpop_nonce"
)

// isResourcePath reports whether path is the mock's protected resource, where
// DPoP errors come as a 401 challenge (RFC 9449 §7.1, §9) rather than a
// token-endpoint error body.
func isResourcePath(path string) bool {
	return path == mockserver.PathUserinfo || strings.HasSuffix(path, mockserver.PathUserinfo)
}

// dpopFault shapes a rule's error answer when its code is a DPoP one: a
// use_dpop_nonce answer carries a fresh, valid DPoP-Nonce (so the client's
// retry can succeed), and at the resource both codes come as 401 with a DPoP
// challenge. It returns the status to answer with.
func dpopFault(h http.Header, srv *mockserver.Server, path, code, desc string, status int) int {
	if code != codeUseDPoPNonce && code != codeInvalidDPoPProof {
		return status
	}
	if code == codeUseDPoPNonce {
		h.Set("DPoP-Nonce", srv.DPoPNonce())
	}
	if isResourcePath(path) {
		if status == 0 {
			status = http.StatusUnauthorized
		}
		v := `DPoP realm="ropc-mock", error="` + code + `"`
		if desc != "" {
			v += `, error_description=` + strconv.Quote(desc)
		}
		h.Set("WWW-Authenticate", v+`, algs="`+strings.Join(mockserver.DPoPSigningAlgs, " ")+`"`)
	}
	return status
}

// dpopFailureReason is why the answer refused the request's DPoP use, for
// the journal: the error_description of a DPoP error, or of an answer with a
// DPoP challenge. It never holds the proof, which no answer echoes.
func (c *captureWriter) dpopFailureReason(code string) string {
	dpopChallenge := strings.HasPrefix(strings.TrimSpace(c.Header().Get("WWW-Authenticate")), "DPoP")
	if code != codeInvalidDPoPProof && code != codeUseDPoPNonce && !dpopChallenge {
		return ""
	}
	var body struct {
		Description string `json:"error_description"`
	}
	if json.Unmarshal(c.head.Bytes(), &body) == nil && body.Description != "" {
		return code + ": " + body.Description
	}
	return code
}
