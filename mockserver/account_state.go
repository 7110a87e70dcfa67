package mockserver

// accountStateError is the rfc profile's answer for a user whose account
// is not active: invalid_grant (RFC 6749 §5.2, "the provided authorization
// grant (e.g. ... resource owner credentials) is invalid"), with a
// description that names the state. It is given only after the right
// password, so it reveals nothing to a guesser.
func accountStateError(u *userEntry) *oauthError {
	switch u.State {
	case StateLocked:
		return errInvalidGrant("the account is locked")
	case StateDisabled:
		return errInvalidGrant("the account is disabled")
	case StatePasswordExpired:
		return errInvalidGrant("the password has expired and must be changed")
	case StateSetupRequired:
		return errInvalidGrant("the account is not fully set up")
	}
	return nil
}
