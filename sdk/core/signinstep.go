package core

// SignInStep is what a sign-in does after the password grant's answer (RFC 6749 §4.3.3).
type SignInStep string

const (
	// SignInDone: the answer is a token; the user is signed in.
	SignInDone SignInStep = "done"
	// SignInFail: the answer is the sign-in's error, as it came.
	SignInFail SignInStep = "fail"
	// SignInOTP sends the one-time code the caller already has with the mfa-otp grant, without
	// asking the user (the code Keycloak took with the password, reused for Auth0's or Okta's step).
	SignInOTP SignInStep = "otp"
	// SignInRecoveryCode asks the user for a recovery code and sends it with the
	// mfa-recovery-code grant.
	SignInRecoveryCode SignInStep = "recovery_code"
	// SignInChallenge lists the enrolled authenticators where the server can (and asks the user
	// to pick one of two or more), starts a challenge, and answers it as its PromptType says:
	// a typed code with CodeGrant ("mfa_code_grant"), or an approval polled per OOBPoll.
	SignInChallenge SignInStep = "challenge"
)

// SignInState is what a sign-in knows once the password grant has answered.
type SignInState struct {
	// Err is the password grant's error; nil when it answered with a token.
	Err error
	// CanPrompt: the caller can ask the user (Go's Prompter, JavaScript's onChallenge).
	CanPrompt bool
	// OTP: the caller already has a one-time code (Go's WithOTP, JavaScript's otp).
	OTP bool
	// Recovery: the caller asked to answer with a recovery code.
	Recovery bool
}

// NextSignInStep decides how a sign-in goes on after the password grant, the only request that
// carries the password: no step sends it again, so a sign-in counts once against lockout.
//
// Shared rule "sign_in_step": a token ends the sign-in. An error goes on only when it is
// mfa_required with an mfa_token (Auth0's and Okta's answer; MFAToken) and the caller can answer
// it, with a code in hand or a way to ask the user; every other error (a wrong password,
// Entra's interaction_required, a locked account) is the sign-in's error. A code in hand wins:
// it goes with the mfa-otp grant and the user is not asked. Otherwise a recovery code, when the
// caller asked for that way in and can ask the user for it; otherwise a challenge.
func NextSignInStep(s SignInState) SignInStep {
	switch {
	case s.Err == nil:
		return SignInDone
	case MFAToken(s.Err) == "":
		return SignInFail
	case s.OTP:
		return SignInOTP
	case !s.CanPrompt:
		return SignInFail
	case s.Recovery:
		return SignInRecoveryCode
	}
	return SignInChallenge
}
