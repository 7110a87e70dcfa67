package main

// runIntrospect: ropc introspect ... --token-stdin [--hint access_token|refresh_token]
// RFC 7662 §2.1: asks the server whether a token is active; the answer's members (§2.2) are
// printed as JSON on stdout, "active" always among them. An inactive token is a successful
// answer (exit 0), not an error: scripts read "active".
func runIntrospect(args []string, s stdio) int {
	var (
		c         commonFlags
		fromStdin bool
		hint      string
	)
	fs := newFlagSet("introspect", "(--issuer URL | --introspection-url URL) --client-id ID --token-stdin [--hint access_token|refresh_token]", s)
	c.register(fs)
	fs.StringVar(&c.introspectionURL, "introspection-url", "", "introspection endpoint `URL` (RFC 7662; discovered from --issuer if not given)")
	fs.BoolVar(&fromStdin, "token-stdin", false, "read the token (or the JSON printed by ropc token) from standard input (required)")
	fs.StringVar(&hint, "hint", "", "token_type_hint: access_token or refresh_token (RFC 7662 §2.1)")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return fail(s, "introspect", usageOrHelp(err))
	}
	if len(pos) > 0 {
		return fail(s, "introspect", usagef("unexpected argument %q", pos[0]))
	}
	switch hint {
	case "", "access_token", "refresh_token":
	default:
		return fail(s, "introspect", usagef("--hint must be access_token or refresh_token"))
	}
	if !fromStdin {
		return fail(s, "introspect", usagef("--token-stdin is required: tokens are never taken from a flag"))
	}
	client, err := c.newClient(s)
	if err != nil {
		return fail(s, "introspect", err)
	}
	in, isJSON, err := readTokenInput(s.in, "token")
	if err != nil {
		return fail(s, "introspect", err)
	}
	token := in.AccessToken
	if isJSON && hint == "refresh_token" {
		token = in.RefreshToken
	} else if isJSON && hint == "" {
		hint = "access_token" // from token JSON, the access token unless --hint says otherwise
	}
	if token == "" {
		return fail(s, "introspect", usagef("the token JSON on standard input has no %s", hint))
	}
	ctx, cancel := commandContext(c.timeout)
	defer cancel()
	info, err := client.Introspect(ctx, token, hint)
	if err != nil {
		return fail(s, "introspect", err)
	}
	out := map[string]any{}
	for k, v := range info.Raw {
		out[k] = v
	}
	out["active"] = info.Active
	if err := writeJSON(s.out, out); err != nil {
		return fail(s, "introspect", err)
	}
	return exitOK
}
