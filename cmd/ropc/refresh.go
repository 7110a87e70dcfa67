package main

// runRefresh: ropc refresh ... --refresh-token-stdin [--scope "a"]
// RFC 6749 §6: the scope may be narrowed, never widened; when the server
// issues no new refresh token the old one is printed again (it stays valid).
func runRefresh(args []string, s stdio) int {
	var (
		c         commonFlags
		fromStdin bool
		scope     string
		params    paramFlag
	)
	fs := newFlagSet("refresh", "(--token-url URL | --issuer URL) --client-id ID --refresh-token-stdin [--scope \"a b\"]", s)
	c.register(fs)
	fs.BoolVar(&fromStdin, "refresh-token-stdin", false, "read the refresh token (or the JSON printed by ropc token) from standard input (required)")
	fs.StringVar(&scope, "scope", "", "narrower space-separated `scopes` (RFC 6749 §6)")
	fs.Var(&params, "param", "extra parameter `key=value` (repeatable)")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return fail(s, "refresh", usageOrHelp(err))
	}
	if len(pos) > 0 {
		return fail(s, "refresh", usagef("unexpected argument %q", pos[0]))
	}
	if !fromStdin {
		return fail(s, "refresh", usagef("--refresh-token-stdin is required: the refresh token is never taken from a flag"))
	}
	client, err := c.newClient(s)
	if err != nil {
		return fail(s, "refresh", err)
	}
	in, isJSON, err := readTokenInput(s.in, "refresh token")
	if err != nil {
		return fail(s, "refresh", err)
	}
	if in.RefreshToken == "" {
		what := "refresh token"
		if isJSON {
			what = "refresh_token in the token JSON"
		}
		return fail(s, "refresh", usagef("no %s on standard input", what))
	}
	ctx, cancel := commandContext(c.timeout)
	defer cancel()
	tok, err := client.Refresh(ctx, in.RefreshToken, requestOptions(scope, params)...)
	if err != nil {
		return fail(s, "refresh", err)
	}
	if err := writeJSON(s.out, tokenOutput(tok)); err != nil {
		return fail(s, "refresh", err)
	}
	return exitOK
}
