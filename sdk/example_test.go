package sdk_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"net/http/httptest"
	"os"
	"path/filepath"
	"time"

	"github.com/ropcgo/ropc/mockserver"
	"github.com/ropcgo/ropc/sdk"
	"github.com/ropcgo/ropc/sdk/tokenfile"
)

// startMock runs the project's mock token server on loopback, standing in for a real
// authorization server (client client_id/client_secret, user johndoe/A3ddj3w).
func startMock() *httptest.Server {
	m, err := mockserver.New(mockserver.DefaultConfig(), mockserver.Options{})
	if err != nil {
		log.Fatal(err)
	}
	return httptest.NewServer(m)
}

// The password grant, then a token source that keeps the token fresh and an http.Client that
// sends it.
func Example() {
	srv := startMock()
	defer srv.Close()
	ctx := context.Background()

	client, err := sdk.NewClient(sdk.Config{
		TokenURL:     srv.URL + "/token", // http is accepted for loopback only
		ClientID:     "client_id",
		ClientSecret: "client_secret",
	})
	if err != nil {
		log.Fatal(err)
	}
	tok, err := client.PasswordToken(ctx, "johndoe", "A3ddj3w", sdk.WithScopes("read"))
	if err != nil {
		log.Fatal(err)
	}
	// The password is not needed again: keep the refresh token (e.g. in the OS keychain).
	fmt.Println("type:", tok.TokenType, "scope:", tok.Scope, "refresh token:", tok.RefreshToken != "")

	ts := client.TokenSource(tok, sdk.WithOnTokenChange(func(t *sdk.Token) {
		// Persist t.RefreshToken here: the server may have rotated it.
	}))
	resp, err := ts.Client(nil).Get(srv.URL + "/userinfo")
	if err != nil {
		log.Fatal(err)
	}
	defer resp.Body.Close()
	var claims struct {
		Sub string `json:"sub"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&claims); err != nil {
		log.Fatal(err)
	}
	fmt.Println("status:", resp.StatusCode, "sub:", claims.Sub)
	// Output:
	// type: Bearer scope: read refresh token: true
	// status: 200 sub: johndoe
}

// A wrong password is an *OAuthError with code invalid_grant; the request was sent once.
func ExampleClient_PasswordToken_wrongPassword() {
	srv := startMock()
	defer srv.Close()
	client, _ := sdk.NewClient(sdk.Config{TokenURL: srv.URL + "/token", ClientID: "client_id", ClientSecret: "client_secret"})

	_, err := client.PasswordToken(context.Background(), "johndoe", "not-the-password")
	var oe *sdk.OAuthError
	if errors.As(err, &oe) {
		fmt.Println(oe.Code, oe.Status)
	}
	// Output: invalid_grant 400
}

// Plain http to a host other than loopback is refused before anything is sent.
func ExampleNewClient_insecure() {
	_, err := sdk.NewClient(sdk.Config{TokenURL: "http://auth.example.com/token", ClientID: "app"})
	var ie *sdk.InsecureURLError
	fmt.Println(errors.As(err, &ie))
	fmt.Println(err)
	// Output:
	// true
	// ropc: TokenURL http://auth.example.com/token must use https: plain http is allowed only for loopback hosts (127.0.0.0/8, ::1, localhost) or when insecure http is allowed explicitly (AllowInsecureHTTP, allowInsecureHttp)
}

// When the refresh token is no longer accepted, Token reports ErrSignInAgain: ask the user for
// their credentials again.
func ExampleTokenSource_Token_signInAgain() {
	srv := startMock()
	defer srv.Close()
	ctx := context.Background()
	client, _ := sdk.NewClient(sdk.Config{
		TokenURL: srv.URL + "/token", RevocationURL: srv.URL + "/revoke",
		ClientID: "client_id", ClientSecret: "client_secret",
	})
	tok, _ := client.PasswordToken(ctx, "johndoe", "A3ddj3w")
	_ = client.Revoke(ctx, tok.RefreshToken, "refresh_token") // e.g. the user signed out elsewhere

	stale := *tok
	stale.Expiry = time.Now().Add(-time.Minute) // pretend the access token expired
	_, err := client.TokenSource(&stale).Token(ctx)
	fmt.Println(errors.Is(err, sdk.ErrSignInAgain))
	var oe *sdk.OAuthError
	fmt.Println(errors.As(err, &oe) && oe.Code == "invalid_grant")
	// Output:
	// true
	// true
}

// Introspection (RFC 7662) and revocation (RFC 7009), with endpoints discovered from the issuer
// (RFC 8414).
func ExampleClient_Introspect() {
	srv := startMock()
	defer srv.Close()
	ctx := context.Background()
	client, _ := sdk.NewClient(sdk.Config{Issuer: srv.URL, ClientID: "client_id", ClientSecret: "client_secret"})

	tok, err := client.PasswordToken(ctx, "johndoe", "A3ddj3w")
	if err != nil {
		log.Fatal(err)
	}
	info, _ := client.Introspect(ctx, tok.AccessToken, "access_token")
	fmt.Println("active:", info.Active, "user:", info.Username)

	_ = client.Revoke(ctx, tok.AccessToken, "access_token")
	info, _ = client.Introspect(ctx, tok.AccessToken, "access_token")
	fmt.Println("active:", info.Active)
	// Output:
	// active: true user: johndoe
	// active: false
}

// Sign-in with a second factor: the server (here the mock as Auth0) answers mfa_required, and
// SignIn asks the Prompter for the code, then finishes with the mfa-otp grant. The password is
// sent once.
func ExampleClient_SignIn() {
	const secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP" // the user's authenticator app key
	cfg := mockserver.DefaultConfig()
	cfg.Profile = mockserver.ProfileAuth0
	cfg.Users = append(cfg.Users, mockserver.User{Username: "ann", Password: "Passw0rd!",
		MFA: &mockserver.MFA{Type: mockserver.MFATypeTOTP, Secret: secret}})
	m, err := mockserver.New(cfg, mockserver.Options{})
	if err != nil {
		log.Fatal(err)
	}
	srv := httptest.NewServer(m)
	defer srv.Close()

	client, err := sdk.NewClient(sdk.Config{TokenURL: srv.URL + "/oauth/token", ClientID: "client_id", ClientSecret: "client_secret"})
	if err != nil {
		log.Fatal(err)
	}
	prompter := sdk.PrompterFunc(func(ctx context.Context, c sdk.Challenge) (string, error) {
		switch c.Type {
		case sdk.ChallengeOTP:
			fmt.Println("asked for a one-time code")
			return mockserver.TOTP(secret, time.Now()) // a real app asks the user
		case sdk.ChallengeOOB:
			fmt.Println("approve on your device", c.BindingCode)
			return "", nil
		}
		return "", fmt.Errorf("cannot answer %s", c.Type)
	})
	tok, err := client.SignIn(context.Background(), "ann", "Passw0rd!", prompter)
	var oe *sdk.OAuthError
	switch {
	case errors.As(err, &oe) && oe.Kind == sdk.KindMFAInvalidCode:
		fmt.Println("wrong code")
	case err != nil:
		log.Fatal(err)
	default:
		fmt.Println("signed in:", tok.AccessToken != "")
	}
	// Output:
	// asked for a one-time code
	// signed in: true
}

// A session kept between runs: saved after sign-in (and after every refresh), resumed by the
// next run. sdk/keychain.Open is the OS keychain; a file store stands in here.
func ExampleLoadTokenSource() {
	srv := startMock()
	defer srv.Close()
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "ropc-example-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	store, err := tokenfile.Open(filepath.Join(dir, "tokens"))
	if err != nil {
		log.Fatal(err)
	}
	client, err := sdk.NewClient(sdk.Config{TokenURL: srv.URL + "/token", ClientID: "client_id", ClientSecret: "client_secret"})
	if err != nil {
		log.Fatal(err)
	}

	// First run: sign in and save.
	tok, err := client.PasswordToken(ctx, "johndoe", "A3ddj3w", sdk.WithScopes("read"))
	if err != nil {
		log.Fatal(err)
	}
	if err := client.TokenSource(tok, sdk.WithStore(store, "work")).Save(ctx); err != nil {
		log.Fatal(err)
	}

	// Next run: no password needed.
	ts, err := sdk.LoadTokenSource(ctx, client, store, "work")
	if err != nil {
		log.Fatal(err)
	}
	resumed, err := ts.Token(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(resumed.Scope, resumed.AccessToken == tok.AccessToken)

	// Another client may not use it.
	other, _ := sdk.NewClient(sdk.Config{TokenURL: srv.URL + "/token", ClientID: "public-client"})
	_, err = sdk.LoadTokenSource(ctx, other, store, "work")
	fmt.Println(err)
	// Output:
	// read true
	// ropc: saved token "work": cannot load: ropc: saved token record: it belongs to client "client_id", not "public-client"
}
