package mockserver

import (
	"context"
	"net/http"
	"strings"
	"time"
)

// serveProfileToken is the token endpoint (RFC 6749 §3.2) of a provider
// profile: the provider's grant types and answers.
func (s *Server) serveProfileToken(w http.ResponseWriter, r *http.Request, st *state) {
	c, answered, oerr := s.tokenPrologue(w, r, st, profileSupportsDPoP(st))
	if answered {
		return
	}
	r = c.r
	a := &answerCtx{s: s, st: st, r: r, now: s.clock.Now()}
	if oerr != nil {
		s.profileRefused(w, r, st.prov.wrap(oerr, a), c.grantType)
		return
	}
	f, grantType, client := c.f, c.grantType, c.client
	var (
		resp     *tokenResponse
		recovery string
		werr     *wireError
	)
	ctx := r.Context()
	switch st.grants[grantType] {
	case grantPassword, grantPasswordRealm:
		resp, werr = s.profilePassword(ctx, a, client.clientEntry, f, st.grants[grantType] == grantPasswordRealm)
	case grantRefresh:
		resp, oerr = s.refreshGrant(ctx, r, st, client.clientEntry, f)
		if oerr != nil {
			werr = st.prov.wrap(oerr, a)
		}
	case grantMFAOTP, grantMFAOOB, grantMFARecovery:
		resp, recovery, werr = s.profileMFAGrant(ctx, a, client.clientEntry, f, st.grants[grantType])
	default:
		werr = st.prov.wrap(errUnsupportedGrantType("grant_type "+sanitizeDescription(grantType)+" is not supported"), a)
	}
	if werr != nil {
		s.profileRefused(w, r, werr, grantType)
		return
	}
	body := resp.marshal()
	if recovery != "" {
		// Auth0: a recovery-code sign-in "might also include a
		// recovery_code field, which the application must display to the
		// end-user". The code is base32 (no escaping needed).
		body = append(append(body[:len(body)-1], `,"recovery_code":"`...), recovery...)
		body = append(body, `"}`...)
	}
	writeJSON(w, http.StatusOK, body)
	s.log.LogAttrs(ctx, debugLevel, "token issued",
		slogStr("grant_type", grantType), slogStr("client_id", client.ClientID), slogStr("scope", resp.Scope))
}

func (s *Server) profileRefused(w http.ResponseWriter, r *http.Request, e *wireError, grantType string) {
	e.write(w)
	s.log.LogAttrs(r.Context(), infoLevel, "token request refused",
		append(grantTypeAttrs(grantType), slogStr("error", e.code))...)
}

// profilePassword is the password grant (RFC 6749 §4.3.2) as a provider
// answers it.
func (s *Server) profilePassword(ctx context.Context, a *answerCtx, client *clientEntry, f form, realmGrant bool) (*tokenResponse, *wireError) {
	st, prov := a.st, a.st.prov
	username, password := f.get("username"), f.get("password")
	if username == "" {
		return nil, prov.wrap(errInvalidRequest("missing username"), a)
	}
	if password == "" {
		return nil, prov.wrap(errInvalidRequest("missing password"), a)
	}
	if realmGrant && !contains(st.realms(), f.get("realm")) {
		return nil, prov.answer(sitUnknownRealm, a)
	}
	scope, oerr := resolveScope(f.get("scope"), client.Scopes, client.defaults)
	if oerr != nil {
		return nil, prov.wrap(oerr, a)
	}
	user := st.users[username]
	a.user, a.username = user, username
	// Locked and disabled accounts are refused before their password is
	// tried, as Keycloak's ValidateUsername does; the other providers do
	// not say in which order they check.
	if user != nil && user.State == StateLocked {
		return nil, prov.answer(sitLocked, a)
	}
	if user != nil && user.State == StateDisabled {
		return nil, prov.answer(sitDisabled, a)
	}
	if !verifyPassword(st, user, password) {
		return nil, s.profileFailure(ctx, a, sitWrongPassword)
	}
	var login LoginState
	if st.lockout {
		var err error
		if login, err = s.store.LoginState(ctx, username); err != nil {
			return nil, prov.wrap(s.internal(ctx, "lockout state", err), a)
		}
		if login.Locked(a.now) {
			return nil, prov.answer(sitLocked, a)
		}
	}
	switch user.State {
	case StatePasswordExpired:
		return nil, prov.answer(sitPasswordExpired, a)
	case StateSetupRequired:
		if st.cfg.Profile == ProfileAuth0 {
			// Auth0 hands out an mfa_token with which the user could enrol.
			return nil, s.withMFAToken(a, client, scope, sitSetupRequired)
		}
		return nil, prov.answer(sitSetupRequired, a)
	}
	if user.MFA != nil {
		switch prov.mfaMode() {
		case mfaRefuse:
			return nil, prov.answer(sitMFARequired, a)
		case mfaContinue:
			// The password was right: that clears its failures, whatever
			// the second factor does next.
			if login.Failures > 0 {
				if err := s.store.ClearLoginFailures(ctx, username); err != nil {
					return nil, prov.wrap(s.internal(ctx, "lockout clear", err), a)
				}
			}
			return nil, s.withMFAToken(a, client, scope, sitMFARequired)
		case mfaInline:
			// Keycloak: the code goes with the password as "otp" (older
			// clients: "totp"); missing or wrong, it is a failed login.
			code := f.get("otp")
			if code == "" {
				code = f.get("totp")
			}
			ok, err := s.checkTOTP(ctx, user, code, a.now)
			if err != nil {
				return nil, prov.wrap(s.internal(ctx, "mfa state", err), a)
			}
			if !ok {
				return nil, s.profileFailure(ctx, a, sitOTPInvalid)
			}
		}
	}
	if login.Failures > 0 {
		if err := s.store.ClearLoginFailures(ctx, username); err != nil {
			return nil, prov.wrap(s.internal(ctx, "lockout clear", err), a)
		}
	}
	resp, oerr := s.issueTokens(ctx, a.r, st, grant{client: client, subject: username, scope: scope}, scope, a.now)
	if oerr != nil {
		return nil, prov.wrap(oerr, a)
	}
	return resp, nil
}

// withMFAToken starts a second-factor sign-in and answers sit with its
// mfa_token.
func (s *Server) withMFAToken(a *answerCtx, client *clientEntry, scope string, sit situation) *wireError {
	ids, err := s.randomIDs(32)
	if err != nil {
		return a.st.prov.wrap(s.internal(a.r.Context(), "random", err), a)
	}
	if err := s.startMFA(a.r.Context(), ids[0], a.username, client.ClientID, scope, a.now); err != nil {
		return a.st.prov.wrap(s.internal(a.r.Context(), "mfa state", err), a)
	}
	a.mfaToken = ids[0]
	return a.st.prov.answer(sit, a)
}

// profileFailure counts a failed sign-in against the username (RFC 6749
// §4.3.2 brute-force protection) and answers sit, or the provider's
// locked answer when the username is locked already.
func (s *Server) profileFailure(ctx context.Context, a *answerCtx, sit situation) *wireError {
	st := a.st
	if st.lockout {
		login, err := s.store.LoginState(ctx, a.username)
		if err != nil {
			return st.prov.wrap(s.internal(ctx, "lockout state", err), a)
		}
		if login.Locked(a.now) {
			return st.prov.answer(sitLocked, a)
		}
		if _, err := s.store.RecordLoginFailure(ctx, a.username, a.now, st.policy); err != nil {
			return st.prov.wrap(s.internal(ctx, "lockout record", err), a)
		}
	}
	if sit == sitWrongPassword && a.user == nil {
		sit = sitUnknownUser
	}
	return st.prov.answer(sit, a)
}

// checkTOTP accepts a code of the user's TOTP factor once.
func (s *Server) checkTOTP(ctx context.Context, u *userEntry, code string, now time.Time) (bool, error) {
	if u.MFA == nil || u.MFA.Type != MFATypeTOTP || code == "" {
		return false, nil
	}
	key, err := decodeTOTPSecret(u.MFA.Secret)
	if err != nil {
		return false, nil
	}
	return s.useTOTP(ctx, u.Username, key, code, now)
}

// profileMFAGrant finishes a sign-in with its second factor: Auth0's MFA
// API grants, which Okta's direct authentication uses too.
func (s *Server) profileMFAGrant(ctx context.Context, a *answerCtx, client *clientEntry, f form, kind grantKind) (*tokenResponse, string, *wireError) {
	prov := a.st.prov
	token := f.get("mfa_token")
	if token == "" {
		return nil, "", prov.wrap(errInvalidRequest("missing mfa_token"), a)
	}
	tx, sit, err := s.lookupMFA(ctx, token, a.now)
	if err != nil {
		return nil, "", prov.wrap(s.internal(ctx, "mfa state", err), a)
	}
	if sit != 0 {
		return nil, "", prov.answer(sit, a)
	}
	if tx.ClientID != client.ClientID {
		return nil, "", prov.wrap(errInvalidRequest("mfa_token not issued to this client"), a)
	}
	user := a.st.users[tx.Username]
	a.user, a.username, a.mfaToken = user, tx.Username, token
	if user == nil {
		// Removed since the password step.
		return nil, "", prov.answer(sitMFATokenInvalid, a)
	}
	recovery := ""
	switch kind {
	case grantMFAOTP:
		if f.get("otp") == "" {
			return nil, "", prov.wrap(errInvalidRequest("missing otp"), a)
		}
		ok, err := s.checkTOTP(ctx, user, f.get("otp"), a.now)
		if err != nil {
			return nil, "", prov.wrap(s.internal(ctx, "mfa state", err), a)
		}
		if !ok {
			return nil, "", prov.answer(sitOTPInvalid, a)
		}
	case grantMFAOOB:
		if f.get("oob_code") == "" {
			return nil, "", prov.wrap(errInvalidRequest("missing oob_code"), a)
		}
		sit, err := s.pollOOB(ctx, token, f.get("oob_code"), a.now, a.st.oobInterval())
		if err != nil {
			return nil, "", prov.wrap(s.internal(ctx, "mfa state", err), a)
		}
		if sit != 0 {
			return nil, "", prov.answer(sit, a)
		}
	case grantMFARecovery:
		if f.get("recovery_code") == "" {
			return nil, "", prov.wrap(errInvalidRequest("missing recovery_code"), a)
		}
		next, err := s.newRecoveryCode()
		if err != nil {
			return nil, "", prov.wrap(s.internal(ctx, "random", err), a)
		}
		if !prov.recoveryCodes() {
			return nil, "", prov.answer(sitRecoveryInvalid, a)
		}
		ok, err := s.useRecovery(ctx, user.Username, user.RecoveryCodes, f.get("recovery_code"), next)
		if err != nil {
			return nil, "", prov.wrap(s.internal(ctx, "mfa state", err), a)
		}
		if !ok {
			return nil, "", prov.answer(sitRecoveryInvalid, a)
		}
		recovery = next
	}
	if sit, err := s.finishMFA(ctx, token); err != nil || sit != 0 {
		if err != nil {
			return nil, "", prov.wrap(s.internal(ctx, "mfa state", err), a)
		}
		return nil, "", prov.answer(sit, a)
	}
	resp, oerr := s.issueTokens(ctx, a.r, a.st, grant{client: client, subject: tx.Username, scope: tx.Scope}, tx.Scope, a.now)
	if oerr != nil {
		return nil, "", prov.wrap(oerr, a)
	}
	return resp, recovery, nil
}

// newRecoveryCode makes a 24-character recovery code (Auth0's length),
// base32 without padding.
func (s *Server) newRecoveryCode() (string, error) {
	b := make([]byte, 15)
	if err := s.randomBytes(b); err != nil {
		return "", err
	}
	return strings.TrimRight(base32Std.EncodeToString(b), "="), nil
}

// realms are the connections Auth0's password-realm grant accepts.
func (st *state) realms() []string {
	if len(st.cfg.Realms) > 0 {
		return st.cfg.Realms
	}
	return []string{DefaultAuth0Realm}
}
