package mockserver

import (
	"bytes"
	"encoding/json"
	"maps"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// serveChallenge is the MFA challenge endpoint: Auth0's POST /mfa/challenge
// and Okta's POST /oauth2/{server}/v1/challenge. It starts the challenge of
// the user's factor; for an out-of-band factor that is a pending approval
// with an oob_code to poll the token endpoint with.
func (s *Server) serveChallenge(w http.ResponseWriter, r *http.Request, st *state) {
	if preflight(w, r, "POST, OPTIONS") {
		return
	}
	noStore(w.Header())
	a := &answerCtx{s: s, st: st, r: r, now: s.clock.Now()}
	prov := st.prov
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST, OPTIONS")
		prov.wrap(&oauthError{status: http.StatusMethodNotAllowed, code: "invalid_request", description: "the challenge endpoint accepts only POST"}, a).write(w)
		return
	}
	f, oerr := readChallengeBody(w, r)
	var client authenticatedClient
	if oerr == nil {
		// Client credentials by Basic or in the body (JSON or form), as at
		// the token endpoint.
		client, oerr = authenticateClient(r, f, st)
	}
	if oerr == nil && f.get("mfa_token") == "" {
		oerr = errInvalidRequest("missing mfa_token")
	}
	if oerr != nil {
		prov.wrap(oerr, a).write(w)
		return
	}
	tx, sit, err := s.lookupMFA(r.Context(), f.get("mfa_token"), a.now)
	if err != nil {
		prov.wrap(s.internal(r.Context(), "mfa state", err), a).write(w)
		return
	}
	if sit != 0 {
		prov.answer(sit, a).write(w)
		return
	}
	if tx.ClientID != client.ClientID {
		prov.wrap(errInvalidRequest("mfa_token not issued to this client"), a).write(w)
		return
	}
	user := st.users[tx.Username]
	a.user, a.username = user, tx.Username
	if user == nil || user.MFA == nil {
		prov.answer(sitMFATokenInvalid, a).write(w)
		return
	}
	okta := st.cfg.Profile == ProfileOkta
	// Which challenge types the client accepts: Auth0's optional
	// challenge_type ("otp", "oob", space separated; absent: all), Okta's
	// required challenge_types_supported (grant type URIs).
	want := map[string]string{MFATypeTOTP: "otp", MFATypeOOB: "oob"}[user.MFA.Type]
	list, absentMeansAll := f.get("challenge_type"), true
	if okta {
		want = map[string]string{MFATypeTOTP: GrantMFAOTP, MFATypeOOB: GrantMFAOOB}[user.MFA.Type]
		list, absentMeansAll = f.get("challenge_types_supported"), false
		if list == "" {
			prov.wrap(errInvalidRequest("missing challenge_types_supported"), a).write(w)
			return
		}
	}
	if !(list == "" && absentMeansAll) && !contains(strings.Fields(list), want) {
		if okta {
			prov.wrap(errInvalidRequest("the user has no authenticator of the challenge types supported by the client"), a).write(w)
			return
		}
		(&wireError{status: http.StatusBadRequest, code: "unsupported_challenge_type",
			description: "User is not enrolled with the requested challenge type"}).write(w)
		return
	}
	if user.MFA.Type == MFATypeTOTP {
		// Nothing to send: the user reads the code from the app.
		writeJSON(w, http.StatusOK, []byte(`{"challenge_type":`+string(jsonString(want))+`}`))
		return
	}
	ids, err := s.randomIDs(24)
	if err != nil {
		prov.wrap(s.internal(r.Context(), "random", err), a).write(w)
		return
	}
	started, err := s.challengeOOB(r.Context(), f.get("mfa_token"), ids[0], a.now)
	if err != nil {
		prov.wrap(s.internal(r.Context(), "mfa state", err), a).write(w)
		return
	}
	if !started {
		prov.answer(sitMFATokenInvalid, a).write(w)
		return
	}
	body := `{"challenge_type":` + string(jsonString(want)) + `,"oob_code":"` + ids[0] + `"`
	if okta {
		body += `,"expires_in":` + strconv.FormatInt(secondsCeil(oobCodeTTL), 10) +
			`,"interval":` + strconv.FormatInt(secondsCeil(st.oobInterval()), 10) +
			`,"channel":"push","binding_method":"none"`
	}
	writeJSON(w, http.StatusOK, []byte(body+"}"))
	s.log.LogAttrs(r.Context(), infoLevel, "out-of-band challenge pending", slogStr("client_id", client.ClientID))
}

// readChallengeBody reads a form or a JSON object of strings (Auth0's MFA
// API takes either).
func readChallengeBody(w http.ResponseWriter, r *http.Request) (form, *oauthError) {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != "application/json" {
		return readForm(w, r)
	}
	if r.URL.RawQuery != "" {
		return nil, errInvalidRequest("parameters must be sent in the request body, not in the URL query")
	}
	// Bounded like a form body: a declared length over the limit is refused
	// unread, and a stalled body holds at most the limit.
	body, oerr := readBody(r)
	if oerr != nil {
		return nil, oerr
	}
	return parseJSONParams(body)
}

// parseJSONParams decodes a JSON object whose members are strings into a
// form; empty strings count as absent, like empty form values.
func parseJSONParams(body []byte) (form, *oauthError) {
	dec := json.NewDecoder(bytes.NewReader(body))
	var raw map[string]json.RawMessage
	if err := dec.Decode(&raw); err != nil || raw == nil {
		return nil, errInvalidRequest("the body must be a JSON object")
	}
	if dec.More() {
		return nil, errInvalidRequest("trailing data after the JSON object")
	}
	f := make(form, 0, len(raw))
	for _, k := range slices.Sorted(maps.Keys(raw)) {
		v := raw[k]
		var sv string
		if err := json.Unmarshal(v, &sv); err != nil {
			return nil, errInvalidRequest("parameter " + sanitizeDescription(k) + " must be a string")
		}
		if !utf8.ValidString(sv) {
			return nil, errInvalidRequest("parameter " + sanitizeDescription(k) + " is not valid UTF-8")
		}
		if sv != "" {
			f = append(f, formParam{k, sv})
		}
	}
	return f, nil
}

// serveAuthenticators is Auth0's GET /mfa/authenticators: the user's
// enrolled factors, authorised by the mfa_token as a Bearer token.
func (s *Server) serveAuthenticators(w http.ResponseWriter, r *http.Request, st *state) {
	if !allowMethods(w, r, http.MethodGet) {
		return
	}
	noStore(w.Header())
	a := &answerCtx{s: s, st: st, r: r, now: s.clock.Now()}
	tok, problem := bearerToken(r)
	if problem != "" || tok == "" {
		w.Header().Set("WWW-Authenticate", bearerChallenge("invalid_request", "an mfa_token is required as a Bearer token"))
		writeJSON(w, http.StatusUnauthorized, errorBody("invalid_request", "an mfa_token is required as a Bearer token"))
		return
	}
	tx, sit, err := s.lookupMFA(r.Context(), tok, a.now)
	if err != nil {
		st.prov.wrap(s.internal(r.Context(), "mfa state", err), a).write(w)
		return
	}
	if sit != 0 {
		st.prov.answer(sit, a).write(w)
		return
	}
	user := st.users[tx.Username]
	list := []map[string]any{}
	id := "dev_" + TokenHash(tx.Username)[:16]
	if user != nil && user.MFA != nil {
		switch user.MFA.Type {
		case MFATypeTOTP:
			list = append(list, map[string]any{"id": "totp|" + id, "authenticator_type": "otp", "active": true})
		case MFATypeOOB:
			list = append(list, map[string]any{"id": "push|" + id, "authenticator_type": "oob", "active": true, "oob_channel": "auth0"})
		}
	}
	if user != nil && len(user.RecoveryCodes) > 0 {
		list = append(list, map[string]any{"id": "recovery-code|" + id, "authenticator_type": "recovery-code", "active": true})
	}
	body, _ := json.Marshal(list)
	writeJSON(w, http.StatusOK, body)
}
