package core

// NewRevocationRequest builds an RFC 7009 §2.1 revocation request. hint is
// the optional token_type_hint ("access_token" or "refresh_token").
func NewRevocationRequest(endpoint string, auth ClientAuth, token, hint string) (*Request, error) {
	return newTokenOnlyRequest("revocation", endpoint, auth, token, hint)
}

// ParseRevocationResponse interprets an RFC 7009 §2.2 answer. Any 2xx is
// success: the server answers 200 whether or not the token was valid, and the
// body carries no information. An error body is an *OAuthError (RFC 7009
// §2.2.1, e.g. unsupported_token_type); other failures are *HTTPError.
func ParseRevocationResponse(r Response) error {
	if isSuccess(r.Status) {
		// A 200 with an error body is still an error: some servers send
		// errors with 200 on every endpoint.
		if fields, _, err := decodeFields(r.Body); err == nil {
			if oe := oauthErrorFrom(fields, r); oe != nil {
				return oe
			}
		}
		return nil
	}
	fields, _, err := decodeFields(r.Body)
	if err != nil {
		fields = nil
	}
	return classifyFailure(r, fields, err)
}
