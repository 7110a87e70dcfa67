package sdk

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ropcgo/ropc/sdk/core"
)

// Kind names the situation behind an *OAuthError (its Kind field), decided in sdk/core for the Go
// SDK, the npm package and the CLI alike. Every OAuth error has exactly one of these kinds:
//
//	invalid_credentials     wrong username or password (KindInvalidCredentials)
//	mfa_required            a second factor is needed; SignIn continues (KindMFARequired)
//	mfa_invalid_code        a one-time or recovery code was refused (KindMFAInvalidCode)
//	mfa_denied              the user rejected an out-of-band approval (KindMFADenied)
//	interaction_required    only a browser sign-in can continue (KindInteractionRequired)
//	password_expired        the password must be changed (KindPasswordExpired)
//	account_setup_required  the account has pending setup (KindAccountSetupRequired)
//	account_locked          locked for now; see RetryAfter (KindAccountLocked)
//	account_disabled        disabled or blocked by an administrator (KindAccountDisabled)
//	rate_limited            too many requests; see RetryAfter (KindRateLimited)
//	consent_required        consent to the client's access is missing (KindConsentRequired)
//	invalid_client          the client is misconfigured (KindInvalidClient)
//	invalid_scope           the requested scope is refused (KindInvalidScope)
//	server_unavailable      a server-side failure (KindServerUnavailable)
//	other                   none of the above (KindOther)
//
// The provider's own code decides before the HTTP status (Auth0's 429 too_many_attempts is
// account_locked), then an mfa_token (mfa_required), then Entra's AADSTS numbers (error_codes) and
// suberror, then a provider's
// description (Keycloak), then the RFC 6749 code and the status. Where a provider sends the same
// answer for two situations, the kind is what the answer says: Keycloak's "Invalid user
// credentials" (also for a missing or wrong code and a locked user) is invalid_credentials, its
// "Account is not fully set up" (also for an expired password) account_setup_required.
type Kind = core.Kind

// The kinds of OAuth errors. See the constants of sdk/core for which provider answers map to each.
const (
	// KindInvalidCredentials is a wrong username or password, or a dead refresh token. Keycloak
	// sends the same answer for a missing or wrong one-time code and for a locked account, so
	// those are reported as this kind too: nothing in the answer tells them apart.
	KindInvalidCredentials Kind = core.KindInvalidCredentials
	// KindMFARequired: the password was right; a second factor is needed (SignIn continues it).
	KindMFARequired Kind = core.KindMFARequired
	// KindMFAInvalidCode: a one-time or recovery code was refused.
	KindMFAInvalidCode Kind = core.KindMFAInvalidCode
	// KindMFADenied: the user rejected an out-of-band (push) approval.
	KindMFADenied Kind = core.KindMFADenied
	// KindInteractionRequired: only an interactive browser sign-in can continue (Entra's MFA and
	// MFA enrolment, AADSTS50076/50079).
	KindInteractionRequired Kind = core.KindInteractionRequired
	// KindPasswordExpired: the password must be changed first.
	KindPasswordExpired Kind = core.KindPasswordExpired
	// KindAccountSetupRequired: the account has pending setup (Keycloak's "Account is not fully
	// set up", which it also sends for an expired password).
	KindAccountSetupRequired Kind = core.KindAccountSetupRequired
	// KindAccountLocked: locked for now after failed attempts; RetryAfter says how long if known.
	KindAccountLocked Kind = core.KindAccountLocked
	// KindAccountDisabled: disabled or blocked by an administrator.
	KindAccountDisabled Kind = core.KindAccountDisabled
	// KindRateLimited: too many requests; RetryAfter says how long to wait if known.
	KindRateLimited Kind = core.KindRateLimited
	// KindConsentRequired: consent to the client's access is missing.
	KindConsentRequired Kind = core.KindConsentRequired
	// KindInvalidClient: the client is misconfigured or not allowed the grant.
	KindInvalidClient Kind = core.KindInvalidClient
	// KindInvalidScope: the requested scope is refused.
	KindInvalidScope Kind = core.KindInvalidScope
	// KindServerUnavailable: a server-side failure; worth retrying later.
	KindServerUnavailable Kind = core.KindServerUnavailable
	// KindOther: none of the above.
	KindOther Kind = core.KindOther
)

// ChallengeType is what a Challenge asks of the user.
type ChallengeType string

const (
	// ChallengeOTP asks for a one-time code: from an authenticator app, or sent by SMS or e-mail.
	ChallengeOTP ChallengeType = "otp"
	// ChallengeOOB asks the user to approve the sign-in on another device; show BindingCode if
	// set. The Prompter's answer is ignored: SignIn polls until approved, denied or expired.
	ChallengeOOB ChallengeType = "oob"
	// ChallengeRecoveryCode asks for a recovery code (see WithRecoveryCode).
	ChallengeRecoveryCode ChallengeType = "recovery_code"
	// ChallengeSelectAuthenticator asks which of Authenticators to use; answer its ID.
	ChallengeSelectAuthenticator ChallengeType = "select_authenticator"
)

// Authenticator is one of the user's enrolled second factors (ID, Type otp/oob/recovery-code,
// Channel, Name), as Auth0's GET /mfa/authenticators lists them.
type Authenticator = core.Authenticator

// Challenge is what SignIn asks the Prompter to obtain from the user.
type Challenge struct {
	Type ChallengeType
	// BindingCode, for ChallengeOOB, is a code to show the user, who confirms it on the device
	// (a number challenge). Empty when there is nothing to show.
	BindingCode string
	// Channel, when the server names it: push, sms, voice, email.
	Channel string
	// Authenticators are the choices of a ChallengeSelectAuthenticator.
	Authenticators []Authenticator
}

// Prompter obtains the user's answer to a Challenge: the code, the recovery code, or the chosen
// authenticator's ID. For ChallengeOOB it tells the user to approve and returns at once (its
// answer is ignored). An error stops the sign-in with that error.
type Prompter interface {
	Prompt(ctx context.Context, c Challenge) (string, error)
}

// PrompterFunc adapts a function to Prompter.
type PrompterFunc func(ctx context.Context, c Challenge) (string, error)

// Prompt calls f.
func (f PrompterFunc) Prompt(ctx context.Context, c Challenge) (string, error) { return f(ctx, c) }

// WithOTP sends a one-time code the caller already has. It goes with the password as "otp",
// which is how Keycloak takes it (Keycloak cannot ask for a code: a missing one looks like a
// wrong password), and when the server then answers mfa_required, SignIn uses the same code for
// the mfa-otp step instead of prompting.
func WithOTP(code string) RequestOption {
	return func(o *requestOptions) { o.otp = code }
}

// WithRealm selects an Auth0 connection: the request becomes Auth0's password-realm grant
// (grant_type http://auth0.com/oauth/grant-type/password-realm with realm=name).
func WithRealm(name string) RequestOption {
	return func(o *requestOptions) { o.realm = name }
}

// WithRecoveryCode makes SignIn answer an mfa_required with a recovery code (the Prompter gets a
// ChallengeRecoveryCode) instead of starting a challenge: for a user without their device. A
// successful answer may carry a new recovery code in Token.Raw["recovery_code"] (Auth0 issues
// one each time): show it to the user.
func WithRecoveryCode() RequestOption {
	return func(o *requestOptions) { o.recovery = true }
}

// SignIn performs the password grant and, when the server asks for a second factor, finishes the
// sign-in through prompter:
//
//   - Auth0 and Okta answer mfa_required with an mfa_token. SignIn then uses the code of WithOTP
//     if given (mfa-otp grant), a recovery code if WithRecoveryCode (mfa-recovery-code grant), or
//     else starts a challenge (Config.ChallengeURL, or the provider's path next to the token
//     endpoint) and asks prompter for the code (mfa-otp, or mfa-oob with binding_code for SMS and
//     voice), or tells the user to approve on their device and polls the token endpoint
//     (mfa-oob), honouring authorization_pending, slow_down and the challenge's interval.
//   - Keycloak cannot ask for a code: pass it with WithOTP and it goes with the password.
//   - Entra cannot do MFA in this grant: its answer is an *OAuthError of KindInteractionRequired.
//
// The password is sent once: no step re-sends it, so a sign-in counts once against lockout.
// With a nil prompter an mfa_required answer is returned as is (KindMFARequired). Cancelling ctx
// stops the sign-in, polling included, with ctx's error.
func (c *Client) SignIn(ctx context.Context, username, password string, prompter Prompter, opts ...RequestOption) (*Token, error) {
	tok, err := c.PasswordToken(ctx, username, password, opts...)
	o := collect(opts)
	// core.NextSignInStep: the order the JavaScript package follows too.
	next := core.NextSignInStep(core.SignInState{Err: asOAuthError(err), CanPrompt: prompter != nil, OTP: o.otp != "", Recovery: o.recovery})
	if next == core.SignInDone || next == core.SignInFail {
		return tok, err
	}
	first := err
	mfaToken := core.MFAToken(asOAuthError(err))
	step := func() (*Token, error) {
		switch next {
		case core.SignInOTP:
			return c.MFAToken(ctx, core.MFAParams{Grant: core.GrantMFAOTP, MFAToken: mfaToken, OTP: o.otp}, opts...)
		case core.SignInRecoveryCode:
			code, err := ask(ctx, prompter, Challenge{Type: ChallengeRecoveryCode})
			if err != nil {
				return nil, err
			}
			return c.MFAToken(ctx, core.MFAParams{Grant: core.GrantMFARecoveryCode, MFAToken: mfaToken, RecoveryCode: code}, opts...)
		}
		// core.SignInChallenge
		id, err := c.selectAuthenticator(ctx, mfaToken, prompter)
		if err != nil {
			return nil, err
		}
		ch, err := c.MFAChallenge(ctx, core.ChallengeParams{MFAToken: mfaToken, AuthenticatorID: id})
		if err != nil {
			return nil, err
		}
		return c.answerChallenge(ctx, mfaToken, ch, prompter, opts)
	}
	tok, err = step()
	var pe *promptError
	switch {
	case errors.As(err, &pe):
		// The user could not answer (no terminal, cancelled): the server's demand stays the error.
		return nil, fmt.Errorf("%w: %w", first, pe.err)
	case errors.Is(err, errNoChallengeEndpoint):
		return nil, fmt.Errorf("%w (%w)", first, err)
	}
	return tok, err
}

// promptError marks an error of the Prompter.
type promptError struct{ err error }

func (e *promptError) Error() string { return e.err.Error() }
func (e *promptError) Unwrap() error { return e.err }

func ask(ctx context.Context, p Prompter, c Challenge) (string, error) {
	s, err := p.Prompt(ctx, c)
	if err != nil {
		return "", &promptError{err: err}
	}
	return s, nil
}

var errNoChallengeEndpoint = errors.New("ropc: the server asked for a second factor, but no MFA challenge endpoint is known: set Config.ChallengeURL")

func (c *Client) answerChallenge(ctx context.Context, mfaToken string, ch *core.MFAChallenge, prompter Prompter, opts []RequestOption) (*Token, error) {
	switch ch.PromptType() {
	case "otp":
		code, err := ask(ctx, prompter, Challenge{Type: ChallengeOTP, Channel: ch.Channel})
		if err != nil {
			return nil, err
		}
		return c.MFAToken(ctx, ch.CodeParams(mfaToken, code), opts...)
	default: // oob
		if _, err := ask(ctx, prompter, Challenge{Type: ChallengeOOB, BindingCode: ch.ShownBindingCode(), Channel: ch.Channel}); err != nil {
			return nil, err
		}
		return c.PollOOB(ctx, mfaToken, ch.OOBCode, ch.Interval, opts...)
	}
}

// selectAuthenticator asks the user to pick one of two or more enrolled factors, where the
// server lists them (Auth0's GET /mfa/authenticators, its documented next step after
// mfa_required). With one factor, or a server without the list, the challenge goes without an
// authenticator_id and the server picks.
func (c *Client) selectAuthenticator(ctx context.Context, mfaToken string, prompter Prompter) (string, error) {
	list, err := c.MFAAuthenticators(ctx, mfaToken)
	if err != nil {
		if ctx.Err() != nil {
			return "", ctx.Err()
		}
		return "", nil // optional step: the challenge itself reports real problems
	}
	choices := core.SelectableAuthenticators(list)
	if len(choices) < 2 {
		return "", nil
	}
	id, err := ask(ctx, prompter, Challenge{Type: ChallengeSelectAuthenticator, Authenticators: choices})
	if err != nil {
		return "", err
	}
	for _, a := range choices {
		if a.ID == id {
			return id, nil
		}
	}
	return "", &promptError{err: fmt.Errorf("ropc: %q is not one of the authenticators offered", id)}
}

// MFAAuthenticators lists the user's enrolled factors (Auth0 GET /mfa/authenticators, with the
// mfa_token as bearer token). Servers without such a list (Okta) give ErrNoEndpoint.
func (c *Client) MFAAuthenticators(ctx context.Context, mfaToken string) ([]Authenticator, error) {
	challenge, err := c.challengeEndpoint(ctx)
	if err != nil {
		return nil, err
	}
	endpoint, ok := core.AuthenticatorsEndpoint(challenge)
	if !ok {
		return nil, &endpointError{name: "MFA authenticators endpoint"}
	}
	req, err := core.NewAuthenticatorsRequest(endpoint, mfaToken)
	if err != nil {
		return nil, err
	}
	resp, err := c.send(ctx, req)
	if err != nil {
		return nil, scrub(err, mfaToken)
	}
	list, err := core.ParseAuthenticators(resp)
	return list, scrub(err, mfaToken)
}

// challengeEndpoint is Config.ChallengeURL, the discovered mfa_challenge_endpoint, or the
// provider's path next to the token endpoint.
func (c *Client) challengeEndpoint(ctx context.Context) (string, error) {
	if c.cfg.ChallengeURL != "" {
		return c.cfg.ChallengeURL, nil
	}
	tokenURL, err := c.tokenEndpoint(ctx)
	if err != nil {
		return "", err
	}
	var raw map[string]any
	if c.cfg.Issuer != "" {
		if m, err := c.metadata(ctx); err == nil {
			raw = m.Raw
		}
	}
	endpoint, err := core.ChallengeEndpointFor(tokenURL, raw)
	if err != nil {
		return "", errNoChallengeEndpoint
	}
	if err := checkEndpoint("ChallengeURL", endpoint, c.cfg.AllowInsecureHTTP); err != nil {
		return "", err
	}
	return endpoint, nil
}

func asOAuthError(err error) error {
	var oe *OAuthError
	if errors.As(err, &oe) {
		return oe
	}
	return nil
}

// MFAChallenge starts a second-factor challenge after an mfa_required answer (Auth0
// POST /mfa/challenge, Okta POST /oauth2/{server}/v1/challenge). The endpoint is
// Config.ChallengeURL or derived from the token endpoint.
func (c *Client) MFAChallenge(ctx context.Context, p core.ChallengeParams) (*core.MFAChallenge, error) {
	endpoint, err := c.challengeEndpoint(ctx)
	if err != nil {
		return nil, err
	}
	req, err := core.NewChallengeRequest(endpoint, *c.auth, p)
	if err != nil {
		return nil, err
	}
	resp, err := c.send(ctx, req)
	if err != nil {
		return nil, scrub(err, c.cfg.ClientSecret, p.MFAToken)
	}
	ch, err := core.ParseChallengeResponse(resp)
	if err != nil {
		return nil, scrub(err, c.cfg.ClientSecret, p.MFAToken)
	}
	return ch, nil
}

// MFAToken sends one MFA grant request (mfa-otp, mfa-oob or mfa-recovery-code) to the token
// endpoint. A refused code is an *OAuthError of KindMFAInvalidCode, a rejected out-of-band
// approval KindMFADenied; a pending one has Code authorization_pending (see PollOOB).
func (c *Client) MFAToken(ctx context.Context, p core.MFAParams, opts ...RequestOption) (*Token, error) {
	tokenURL, err := c.tokenEndpoint(ctx)
	if err != nil {
		return nil, err
	}
	o := collect(opts)
	if p.Scopes == nil {
		p.Scopes = o.scopes
	}
	req, err := core.NewMFATokenRequest(tokenURL, *c.auth, p)
	if err != nil {
		return nil, err
	}
	// RFC 9449 §4: an MFA grant is a token request like any other, so a DPoP client proves its key.
	tok, err := c.exchange(ctx, req, func(r core.Response, now time.Time) (*Token, error) {
		return core.ParseMFATokenResponse(r, now, p.Grant)
	})
	if err != nil {
		return nil, scrub(err, c.cfg.ClientSecret, p.MFAToken, p.RecoveryCode)
	}
	fillScope(tok, p.Scopes)
	return tok, nil
}

// PollOOB polls the token endpoint with the mfa-oob grant until the user approves (a token),
// denies (KindMFADenied), the challenge expires, or ctx ends. It waits interval between polls
// (5 s when 0) and 5 s more after each slow_down (RFC 8628 §3.5, which Auth0's and Okta's
// mfa-oob grant follow).
func (c *Client) PollOOB(ctx context.Context, mfaToken, oobCode string, interval time.Duration, opts ...RequestOption) (*Token, error) {
	wait := interval
	if wait <= 0 {
		wait, _ = core.OOBPoll(&OAuthError{Code: "authorization_pending"}, 0)
	}
	for {
		timer := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			timer.Stop()
			return nil, ctx.Err()
		case <-timer.C:
		}
		tok, err := c.MFAToken(ctx, core.MFAParams{Grant: core.GrantMFAOOB, MFAToken: mfaToken, OOBCode: oobCode}, opts...)
		if err == nil {
			return tok, nil
		}
		next, again := core.OOBPoll(asOAuthError(err), wait)
		if !again {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			return nil, err
		}
		wait = next
	}
}
