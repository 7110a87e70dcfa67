package sdk_test

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ropcgo/ropc/mockserver"
	"github.com/ropcgo/ropc/mockserver/mocktest"
	"github.com/ropcgo/ropc/sdk"
)

// dpopMock is the real mock with DPoP clients: a public client that must
// prove possession with a server nonce (Okta's behaviour), one that must
// without nonces, and one that plays a server without DPoP.
func dpopMock(t *testing.T) *mocktest.Server {
	t.Helper()
	cfg := mockserver.DefaultConfig()
	cfg.Clients = append(cfg.Clients,
		mockserver.Client{ClientID: "dpop-nonce", Public: true, Scopes: []string{"read"}, DPoP: mockserver.DPoPRequired, DPoPNonce: true},
		mockserver.Client{ClientID: "dpop", Public: true, Scopes: []string{"read"}, DPoP: mockserver.DPoPRequired},
		mockserver.Client{ClientID: "no-dpop", Public: true, Scopes: []string{"read"}, DPoP: mockserver.DPoPIgnored},
	)
	return mocktest.New(t, mocktest.WithConfig(cfg))
}

func dpopClient(t *testing.T, m *mocktest.Server, clientID string, key crypto.Signer, mutate ...func(*sdk.Config)) *sdk.Client {
	t.Helper()
	cfg := sdk.Config{
		TokenURL: m.TokenURL, RevocationURL: m.URL + "/revoke", IntrospectionURL: m.URL + "/introspect",
		ClientID: clientID, DPoP: key,
	}
	for _, f := range mutate {
		f(&cfg)
	}
	c, err := sdk.NewClient(cfg)
	require.NoError(t, err)
	return c
}

func ecKey(t *testing.T) *ecdsa.PrivateKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	return k
}

func userinfo(t *testing.T, hc *http.Client, url string) (int, map[string]any) {
	t.Helper()
	resp, err := hc.Get(url)
	require.NoError(t, err)
	defer resp.Body.Close()
	var m map[string]any
	if resp.StatusCode == http.StatusOK {
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&m))
	} else {
		_, _ = io.Copy(io.Discard, resp.Body)
	}
	return resp.StatusCode, m
}

// TestDPoPEndToEnd: a DPoP-bound token from the mock, with its nonce
// challenge, refreshed, used at /userinfo, introspected and revoked, each
// request with a proof; ES256 and EdDSA keys.
func TestDPoPEndToEnd(t *testing.T) {
	_, ed, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	for name, key := range map[string]crypto.Signer{"ES256": ecKey(t), "EdDSA": ed} {
		t.Run(name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			m := dpopMock(t)
			c := dpopClient(t, m, "dpop-nonce", key)

			tok, err := c.PasswordToken(ctx, "johndoe", "A3ddj3w")
			require.NoError(t, err)
			assert.Equal(t, "DPoP", tok.TokenType)
			assert.Equal(t, 2, m.Count("/token", "password"), "one use_dpop_nonce, one retry with the nonce")

			// The nonce is kept: the next grant needs no second round trip.
			m.ClearRequests()
			_, err = c.PasswordToken(ctx, "johndoe", "A3ddj3w")
			require.NoError(t, err)
			assert.Equal(t, 1, m.Count("/token", "password"))

			fresh, err := c.Refresh(ctx, tok.RefreshToken)
			require.NoError(t, err)
			assert.Equal(t, "DPoP", fresh.TokenType)

			hc := c.TokenSource(fresh).Client(nil)
			status, claims := userinfo(t, hc, m.URL+"/userinfo")
			require.Equal(t, http.StatusOK, status)
			assert.Equal(t, "johndoe", claims["sub"])

			in, err := c.Introspect(ctx, fresh.AccessToken, "access_token")
			require.NoError(t, err)
			assert.Equal(t, map[string]any{"jkt": c.Thumbprint()}, in.Raw["cnf"])
			require.NoError(t, c.Revoke(ctx, fresh.RefreshToken, "refresh_token"))

			for _, e := range m.Requests() {
				assert.True(t, e.DPoP, "%s %s carried a proof", e.Method, e.Path)
			}
			// Revoked with its refresh token: the 401 invalid_token (DPoP challenge) makes the
			// Transport refresh, which the server refuses.
			_, err = hc.Get(m.URL + "/userinfo")
			assert.ErrorIs(t, err, sdk.ErrSignInAgain)
		})
	}
}

// TestDPoPStolenRefreshToken: the point of DPoP for a public client: a
// refresh token copied without the key is useless.
func TestDPoPStolenRefreshToken(t *testing.T) {
	ctx := context.Background()
	m := dpopMock(t)
	tok, err := dpopClient(t, m, "dpop", ecKey(t)).PasswordToken(ctx, "johndoe", "A3ddj3w")
	require.NoError(t, err)
	_, err = dpopClient(t, m, "dpop", ecKey(t)).Refresh(ctx, tok.RefreshToken)
	var oe *sdk.OAuthError
	require.ErrorAs(t, err, &oe)
	assert.Equal(t, "invalid_grant", oe.Code)
	assert.Contains(t, oe.Description, "another DPoP key")
}

// TestDPoPResourceNonce: RFC 9449 §9: a 401 use_dpop_nonce from the resource
// is retried once with the nonce it carries.
func TestDPoPResourceNonce(t *testing.T) {
	ctx := context.Background()
	m := dpopMock(t)
	c := dpopClient(t, m, "dpop", ecKey(t))
	tok, err := c.PasswordToken(ctx, "johndoe", "A3ddj3w")
	require.NoError(t, err)
	hc := c.TokenSource(tok).Client(nil)

	m.Fault(mocktest.Rule{Match: mocktest.Match{Path: "/userinfo"}, Error: "use_dpop_nonce", Times: 1})
	status, claims := userinfo(t, hc, m.URL+"/userinfo")
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, "johndoe", claims["sub"])
	assert.Equal(t, 2, m.Count("/userinfo", ""))

	// Only once: a server that keeps demanding gets its 401 back.
	m.ClearRequests()
	m.Fault(mocktest.Rule{Match: mocktest.Match{Path: "/userinfo"}, Error: "use_dpop_nonce", Times: 2})
	status, _ = userinfo(t, hc, m.URL+"/userinfo")
	assert.Equal(t, http.StatusUnauthorized, status)
	assert.Equal(t, 2, m.Count("/userinfo", ""))
}

func TestDPoPTokenNonceRetriedOnce(t *testing.T) {
	ctx := context.Background()
	m := dpopMock(t)
	c := dpopClient(t, m, "dpop", ecKey(t))
	m.Fault(mocktest.Rule{Match: mocktest.Match{Path: "/token"}, Error: "use_dpop_nonce", Times: 2})
	_, err := c.PasswordToken(ctx, "johndoe", "A3ddj3w")
	var oe *sdk.OAuthError
	require.ErrorAs(t, err, &oe)
	assert.Equal(t, "use_dpop_nonce", oe.Code)
	assert.Equal(t, 2, m.Count("/token", "password"))
}

func TestDPoPBearerDowngrade(t *testing.T) {
	ctx := context.Background()
	m := dpopMock(t)
	_, err := dpopClient(t, m, "no-dpop", ecKey(t)).PasswordToken(ctx, "johndoe", "A3ddj3w")
	var te *sdk.TokenTypeError
	require.ErrorAs(t, err, &te)
	assert.Equal(t, "Bearer", te.Got)
	assert.NotContains(t, err.Error(), "A3ddj3w")

	c := dpopClient(t, m, "no-dpop", ecKey(t), func(cfg *sdk.Config) { cfg.DPoPAllowBearer = true })
	tok, err := c.PasswordToken(ctx, "johndoe", "A3ddj3w")
	require.NoError(t, err)
	assert.Equal(t, "Bearer", tok.TokenType)
	status, _ := userinfo(t, c.TokenSource(tok).Client(nil), m.URL+"/userinfo")
	assert.Equal(t, http.StatusOK, status, "an accepted Bearer token goes out as Bearer")
}

// TestDPoPTokenTypeCaseInsensitive: "dpop" is DPoP (RFC 6749 §5.1).
func TestDPoPTokenTypeCaseInsensitive(t *testing.T) {
	ctx := context.Background()
	m := dpopMock(t)
	c := dpopClient(t, m, "dpop", ecKey(t))
	m.Fault(mocktest.Rule{Match: mocktest.Match{Path: "/token"}, Quirk: "token_type_lowercase"})
	tok, err := c.PasswordToken(ctx, "johndoe", "A3ddj3w")
	require.NoError(t, err)
	assert.Equal(t, "DPoP", tok.TokenType)
	status, _ := userinfo(t, c.TokenSource(tok).Client(nil), m.URL+"/userinfo")
	assert.Equal(t, http.StatusOK, status)
}

func TestDPoPKeyChecks(t *testing.T) {
	p384, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	require.NoError(t, err)
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	for name, key := range map[string]crypto.Signer{"P-384": p384, "RSA": rsaKey} {
		_, err := sdk.NewClient(sdk.Config{TokenURL: "https://as.example/token", ClientID: "c", DPoP: key})
		assert.Error(t, err, name)
	}
	// A DPoP token needs the key at the resource.
	m := dpopMock(t)
	tok, err := dpopClient(t, m, "dpop", ecKey(t)).PasswordToken(context.Background(), "johndoe", "A3ddj3w")
	require.NoError(t, err)
	plain := dpopClient(t, m, "dpop", nil)
	_, err = plain.TokenSource(tok).Client(nil).Get(m.URL + "/userinfo")
	var te *sdk.TokenTypeError
	require.True(t, errors.As(err, &te), "%v", err)
}

// ExampleConfig_dPoP binds the tokens to a key (RFC 9449): a refresh token copied without the
// key is refused.
func ExampleConfig_dPoP() {
	srv := startMock()
	defer srv.Close()
	ctx := context.Background()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader) // keep it with the refresh token
	if err != nil {
		log.Fatal(err)
	}
	client, err := sdk.NewClient(sdk.Config{TokenURL: srv.URL + "/token", ClientID: "public-client", DPoP: key})
	if err != nil {
		log.Fatal(err)
	}
	tok, err := client.PasswordToken(ctx, "johndoe", "A3ddj3w")
	if err != nil {
		log.Fatal(err)
	}
	resp, err := client.TokenSource(tok).Client(nil).Get(srv.URL + "/userinfo") // Authorization: DPoP + proof
	if err != nil {
		log.Fatal(err)
	}
	resp.Body.Close()
	fmt.Println("type:", tok.TokenType, "userinfo:", resp.StatusCode)

	thief, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	other, _ := sdk.NewClient(sdk.Config{TokenURL: srv.URL + "/token", ClientID: "public-client", DPoP: thief})
	_, err = other.Refresh(ctx, tok.RefreshToken)
	var oe *sdk.OAuthError
	fmt.Println("refresh with another key:", errors.As(err, &oe) && oe.Code == "invalid_grant")
	// Output:
	// type: DPoP userinfo: 200
	// refresh with another key: true
}

// TestDPoPProviderProfiles: the mock's Keycloak, Okta and Auth0 profiles bind tokens too; Okta's
// answers the first request with use_dpop_nonce whatever the client's settings (PROVIDERS.md),
// which the client retries.
func TestDPoPProviderProfiles(t *testing.T) {
	for _, profile := range []string{mockserver.ProfileKeycloak, mockserver.ProfileOkta, mockserver.ProfileAuth0} {
		t.Run(profile, func(t *testing.T) {
			cfg := mockserver.DefaultConfig()
			cfg.Clients = append(cfg.Clients, mockserver.Client{ClientID: "dpop-app", Public: true, Scopes: []string{"read"},
				DPoP: mockserver.DPoPRequired})
			m := mocktest.New(t, mocktest.WithProfile(profile), mocktest.WithConfig(cfg))
			c, err := sdk.NewClient(sdk.Config{TokenURL: m.TokenURL, ClientID: "dpop-app", DPoP: ecKey(t)})
			require.NoError(t, err)
			ctx := context.Background()
			tok, err := c.PasswordToken(ctx, "johndoe", "A3ddj3w")
			require.NoError(t, err)
			assert.Equal(t, "DPoP", tok.TokenType)
			want := 1
			if profile == mockserver.ProfileOkta {
				want = 2
			}
			assert.Equal(t, want, m.Count("", "password"), "token requests")
			fresh, err := c.Refresh(ctx, tok.RefreshToken)
			require.NoError(t, err)
			assert.Equal(t, "DPoP", fresh.TokenType)
		})
	}
}

// TestDPoPResourceNonceBody: a POST whose body can be produced again is retried with the nonce;
// one whose body cannot (a stream) is not, and the caller gets the 401.
func TestDPoPResourceNonceBody(t *testing.T) {
	ctx := context.Background()
	m := dpopMock(t)
	c := dpopClient(t, m, "dpop", ecKey(t))
	tok, err := c.PasswordToken(ctx, "johndoe", "A3ddj3w")
	require.NoError(t, err)
	hc := c.TokenSource(tok).Client(nil)
	post := func(body io.Reader) int {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, m.URL+"/userinfo", body)
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		resp, err := hc.Do(req)
		require.NoError(t, err)
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode
	}
	m.Fault(mocktest.Rule{Match: mocktest.Match{Path: "/userinfo"}, Error: "use_dpop_nonce", Times: 1})
	assert.Equal(t, http.StatusOK, post(strings.NewReader("x=1")), "replayable body: retried with the nonce")

	m.ClearRequests()
	m.Fault(mocktest.Rule{Match: mocktest.Match{Path: "/userinfo"}, Error: "use_dpop_nonce", Times: 1})
	assert.Equal(t, http.StatusUnauthorized, post(io.MultiReader(strings.NewReader("x=1"))), "a stream is not sent twice")
	assert.Equal(t, 1, m.Count("/userinfo", ""))
}

// TestDPoPEntraProfileIsBearerOnly: Entra ID ignores DPoP, so its profile answers Bearer, which a
// DPoP client refuses unless it accepts the downgrade.
func TestDPoPEntraProfileIsBearerOnly(t *testing.T) {
	m := mocktest.New(t, mocktest.WithProfile(mockserver.ProfileEntra))
	_, err := dpopClient(t, m, m.ClientID, ecKey(t), func(c *sdk.Config) { c.ClientSecret = m.ClientSecret }).
		PasswordToken(context.Background(), m.Username, m.Password)
	var te *sdk.TokenTypeError
	require.ErrorAs(t, err, &te)
	assert.Equal(t, "Bearer", te.Got)
}

// TestDPoPProfileMetadata: the profiles that bind tokens advertise the proof algorithms
// (RFC 9449 §5.1); Entra's does not.
func TestDPoPProfileMetadata(t *testing.T) {
	for profile, want := range map[string]bool{mockserver.ProfileKeycloak: true, mockserver.ProfileOkta: true,
		mockserver.ProfileAuth0: true, mockserver.ProfileEntra: false} {
		m := mocktest.New(t, mocktest.WithProfile(profile))
		resp, err := http.Get(m.DiscoveryURL)
		require.NoError(t, err)
		var meta map[string]any
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&meta))
		resp.Body.Close()
		_, has := meta["dpop_signing_alg_values_supported"]
		assert.Equal(t, want, has, profile)
	}
}

// TestDPoPSignInWithSecondFactor: the MFA grant that finishes a sign-in is a token request too, so a
// DPoP client sends a proof with it (after Okta's nonce demand) and gets a DPoP-bound token.
func TestDPoPSignInWithSecondFactor(t *testing.T) {
	for _, profile := range []string{mockserver.ProfileOkta, mockserver.ProfileAuth0} {
		t.Run(profile, func(t *testing.T) {
			cfg := mockserver.DefaultConfig()
			cfg.Clients = append(cfg.Clients, mockserver.Client{ClientID: "dpop-app", Public: true, Scopes: []string{"read"},
				DPoP: mockserver.DPoPRequired})
			m := mocktest.New(t, mocktest.WithProfile(profile), mocktest.WithConfig(cfg))
			c, err := sdk.NewClient(sdk.Config{TokenURL: m.TokenURL, ClientID: "dpop-app", DPoP: ecKey(t)})
			require.NoError(t, err)
			code := sdk.PrompterFunc(func(_ context.Context, ch sdk.Challenge) (string, error) {
				require.Equal(t, sdk.ChallengeOTP, ch.Type)
				return m.TOTP(), nil
			})
			tok, err := c.SignIn(context.Background(), mocktest.TOTPUser, mocktest.Password, code)
			require.NoError(t, err)
			assert.Equal(t, "DPoP", tok.TokenType, "the MFA grant's token is bound to the key")
		})
	}
}
