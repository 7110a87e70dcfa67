package mockserver

import (
	"context"
	"net/http"
	"time"
)

// passwordGrant is RFC 6749 §4.3.2.
func (s *Server) passwordGrant(ctx context.Context, r *http.Request, st *state, client *clientEntry, f form) (*tokenResponse, *oauthError) {
	username, password := f.get("username"), f.get("password")
	if username == "" {
		return nil, errInvalidRequest("missing username")
	}
	if password == "" {
		return nil, errInvalidRequest("missing password")
	}
	scope, oerr := resolveScope(f.get("scope"), client.Scopes, client.defaults)
	if oerr != nil {
		return nil, oerr
	}
	now := s.clock.Now()
	user := st.users[username]
	// The password is checked before the lockout state is read: checking
	// needs no I/O, and it lets the success path overlap its two store
	// calls. From outside the order is invisible: a locked username gets
	// the lockout answer whatever the password, and failures while locked
	// are not counted.
	if !verifyPassword(st, user, password) {
		return nil, s.passwordFailed(ctx, st, client, username, now)
	}
	if oerr := accountStateError(user); oerr != nil {
		return nil, oerr
	}
	// A new grant: issueTokens starts a new refresh-token family.
	g := grant{client: client, subject: username, scope: scope}
	if !st.lockout {
		return s.issueTokens(ctx, r, st, g, scope, now)
	}
	var (
		login LoginState
		err   error
		resp  *tokenResponse
	)
	if s.overlapIO {
		login, err, resp, oerr = s.issueBesideLoginState(ctx, r, st, g, scope, now)
	} else {
		login, err = s.store.LoginState(ctx, username)
	}
	if err != nil {
		return nil, s.internal(ctx, "lockout state", err)
	}
	if login.Locked(now) {
		return nil, s.lockedOut(ctx, client)
	}
	if login.Failures > 0 {
		if err := s.store.ClearLoginFailures(ctx, username); err != nil {
			return nil, s.internal(ctx, "lockout clear", err)
		}
	}
	if !s.overlapIO {
		resp, oerr = s.issueTokens(ctx, r, st, g, scope, now)
	}
	return resp, oerr
}

// issueBesideLoginState mints the tokens of g while it reads the lockout
// state of its username: with a networked store (D1 on Workers) one round
// trip instead of two. If the username turns out to be locked, the caller
// discards the tokens; their stored rows are orphans nobody holds. (A
// function of its own, so that the in-memory path does not pay for the
// variables the goroutine shares.)
func (s *Server) issueBesideLoginState(ctx context.Context, r *http.Request, st *state, g grant, scope string, now time.Time) (LoginState, error, *tokenResponse, *oauthError) {
	var (
		login LoginState
		err   error
	)
	done := make(chan struct{})
	go func() {
		defer close(done)
		login, err = s.store.LoginState(ctx, g.subject)
	}()
	resp, oerr := s.issueTokens(ctx, r, st, g, scope, now)
	<-done
	return login, err, resp, oerr
}

// passwordFailed counts a failed password against the username (RFC 6749
// §4.3.2: "the authorization server MUST protect the endpoint against brute
// force attacks"). Unknown usernames are counted too, so lockout behaviour
// does not reveal which usernames exist.
func (s *Server) passwordFailed(ctx context.Context, st *state, client *clientEntry, username string, now time.Time) *oauthError {
	if st.lockout {
		login, err := s.store.LoginState(ctx, username)
		if err != nil {
			return s.internal(ctx, "lockout state", err)
		}
		if login.Locked(now) {
			return s.lockedOut(ctx, client)
		}
		next, err := s.store.RecordLoginFailure(ctx, username, now, st.policy)
		if err != nil {
			return s.internal(ctx, "lockout record", err)
		}
		if next.Locked(now) {
			s.log.LogAttrs(ctx, warnLevel, "username locked after repeated failures", slogStr("until", next.LockedUntil.UTC().Format("15:04:05Z")))
		}
	}
	// Identical for unknown user and wrong password: no enumeration.
	return errInvalidGrant("invalid username or password")
}

func (s *Server) lockedOut(ctx context.Context, client *clientEntry) *oauthError {
	s.log.LogAttrs(ctx, infoLevel, "login refused: username locked", slogStr("client_id", client.ClientID))
	return errInvalidGrant("too many failed sign-in attempts; try again later")
}
