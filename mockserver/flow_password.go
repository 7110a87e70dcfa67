package mockserver

import (
	"context"
	"net/http"
)

// passwordGrant is RFC 6749 §4.3.2.
func (s *Server) passwordGrant(ctx context.Context, r *http.Request, st *state, client *clientEntry, f form) (*tokenResponse, *oauthError) {
	username, password := f["username"], f["password"]
	if username == "" {
		return nil, errInvalidRequest("missing username")
	}
	if password == "" {
		return nil, errInvalidRequest("missing password")
	}
	scope, oerr := resolveScope(f["scope"], client.Scopes, client.defaults)
	if oerr != nil {
		return nil, oerr
	}
	now := s.clock.Now()
	// RFC 6749 §4.3.2: "the authorization server MUST protect the endpoint
	// against brute force attacks". Unknown usernames are counted too, so
	// lockout behaviour does not reveal which usernames exist.
	var login LoginState
	if st.lockout {
		var err error
		if login, err = s.store.LoginState(ctx, username); err != nil {
			return nil, s.internal(ctx, "lockout state", err)
		}
		if login.Locked(now) {
			s.log.LogAttrs(ctx, infoLevel, "login refused: username locked", slogStr("client_id", client.ClientID))
			return nil, errInvalidGrant("too many failed sign-in attempts; try again later")
		}
	}
	user := st.users[username]
	if !verifyPassword(st, user, password) {
		if st.lockout {
			next, err := s.store.RecordLoginFailure(ctx, username, now, st.policy)
			if err != nil {
				return nil, s.internal(ctx, "lockout record", err)
			}
			if next.Locked(now) {
				s.log.LogAttrs(ctx, warnLevel, "username locked after repeated failures", slogStr("until", next.LockedUntil.UTC().Format("15:04:05Z")))
			}
		}
		// Identical for unknown user and wrong password: no enumeration.
		return nil, errInvalidGrant("invalid username or password")
	}
	if st.lockout && login.Failures > 0 {
		if err := s.store.ClearLoginFailures(ctx, username); err != nil {
			return nil, s.internal(ctx, "lockout clear", err)
		}
	}
	// A new grant: issueTokens starts a new refresh-token family.
	g := grant{client: client, subject: username, scope: scope}
	return s.issueTokens(ctx, r, st, g, scope, now)
}
