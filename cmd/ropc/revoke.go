package main

// revokeOutput is printed on success. RFC 7009 §2.2: the server answers 200
// whether or not it knew the token, so "revoked" means "no longer usable".
type revokeOutput struct {
	Revoked       bool   `json:"revoked"`
	TokenTypeHint string `json:"token_type_hint,omitempty"`
}

// runRevoke: ropc revoke ... --token-stdin [--hint access_token|refresh_token]
func runRevoke(args []string, s stdio) int {
	var (
		c         commonFlags
		fromStdin bool
		hint      string
	)
	fs := newFlagSet("revoke", "(--issuer URL | --token-url URL --revocation-url URL) --client-id ID --token-stdin [--hint access_token|refresh_token]", s)
	c.register(fs)
	fs.StringVar(&c.revocationURL, "revocation-url", "", "revocation endpoint `URL` (RFC 7009; discovered from --issuer if not given)")
	fs.BoolVar(&fromStdin, "token-stdin", false, "read the token (or the JSON printed by ropc token) from standard input (required)")
	fs.StringVar(&hint, "hint", "", "token_type_hint: access_token or refresh_token (RFC 7009 §2.1)")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return fail(s, "revoke", usageOrHelp(err))
	}
	if len(pos) > 0 {
		return fail(s, "revoke", usagef("unexpected argument %q", pos[0]))
	}
	switch hint {
	case "", "access_token", "refresh_token":
	default:
		return fail(s, "revoke", usagef("--hint must be access_token or refresh_token"))
	}
	if !fromStdin {
		return fail(s, "revoke", usagef("--token-stdin is required: tokens are never taken from a flag"))
	}
	if c.tokenURL == "" && c.issuer == "" && c.revocationURL != "" {
		// The SDK client is built around a token endpoint; for a bare
		// revocation call the revocation URL stands in for it.
		c.tokenURL = c.revocationURL
	}
	client, err := c.newClient(s)
	if err != nil {
		return fail(s, "revoke", err)
	}
	in, isJSON, err := readTokenInput(s.in, "token")
	if err != nil {
		return fail(s, "revoke", err)
	}
	token := in.AccessToken
	if isJSON {
		// From a token JSON pick what the hint names; without a hint prefer
		// the refresh token, since revoking it also ends its access tokens
		// on servers that support it (RFC 7009 §2.1).
		switch {
		case hint == "access_token":
			token = in.AccessToken
		case hint == "refresh_token" || in.RefreshToken != "":
			token, hint = in.RefreshToken, "refresh_token"
		default:
			token, hint = in.AccessToken, "access_token"
		}
		if token == "" {
			return fail(s, "revoke", usagef("the token JSON on standard input has no %s", hint))
		}
	}
	ctx, cancel := commandContext(c.timeout)
	defer cancel()
	if err := client.Revoke(ctx, token, hint); err != nil {
		return fail(s, "revoke", err)
	}
	if err := writeJSON(s.out, revokeOutput{Revoked: true, TokenTypeHint: hint}); err != nil {
		return fail(s, "revoke", err)
	}
	return exitOK
}
