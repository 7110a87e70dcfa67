// Command peer-gooauth2 is the peer of scripts/bench-mock.sh: the password
// grant served by github.com/go-oauth2/oauth2/v4, a widely used Go OAuth 2.0
// server library, with the demo credentials of ropc-mock, in-memory token
// storage and refresh tokens, so the benchmark can compare ropc-mock with it
// in the same run. The bench passes ropc-mock's demo credentials as flags.
// -jwt signs access tokens with Ed25519 (EdDSA) as ropc-mock
// does; without it access tokens are opaque.
package main

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/go-oauth2/oauth2/v4/errors"
	"github.com/go-oauth2/oauth2/v4/generates"
	"github.com/go-oauth2/oauth2/v4/manage"
	"github.com/go-oauth2/oauth2/v4/models"
	"github.com/go-oauth2/oauth2/v4/server"
	"github.com/go-oauth2/oauth2/v4/store"
	"github.com/golang-jwt/jwt/v5"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address")
	useJWT := flag.Bool("jwt", false, "EdDSA-signed JWT access tokens (default: opaque)")
	clientID := flag.String("client-id", "", "the client's id")
	clientSecret := flag.String("client-secret", "", "the client's secret")
	user := flag.String("username", "", "the resource owner's username")
	pass := flag.String("password", "", "the resource owner's password")
	flag.Parse()
	if *clientID == "" || *clientSecret == "" || *user == "" || *pass == "" {
		fail(fmt.Errorf("-client-id, -client-secret, -username and -password are required"))
	}

	manager := manage.NewDefaultManager()
	manager.SetPasswordTokenCfg(&manage.Config{AccessTokenExp: time.Hour, RefreshTokenExp: 720 * time.Hour, IsGenerateRefresh: true})
	manager.MustTokenStorage(store.NewMemoryTokenStore())
	clients := store.NewClientStore()
	_ = clients.Set(*clientID, &models.Client{ID: *clientID, Secret: *clientSecret, Domain: "http://localhost"})
	manager.MapClientStorage(clients)
	if *useJWT {
		_, key, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			fail(err)
		}
		der, err := x509.MarshalPKCS8PrivateKey(key)
		if err != nil {
			fail(err)
		}
		pemKey := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
		manager.MapAccessGenerate(generates.NewJWTAccessGenerate("k1", pemKey, jwt.SigningMethodEdDSA))
	}

	srv := server.NewDefaultServer(manager)
	srv.SetAllowGetAccessRequest(false)
	srv.SetClientInfoHandler(server.ClientFormHandler)
	srv.SetPasswordAuthorizationHandler(func(_ context.Context, _, username, password string) (string, error) {
		if username == *user && password == *pass {
			return username, nil
		}
		return "", errors.ErrInvalidGrant
	})
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fail(err)
	}
	fmt.Printf("peer-gooauth2: serving http://%s\n", ln.Addr())
	mux := http.NewServeMux()
	mux.HandleFunc("/token", func(w http.ResponseWriter, r *http.Request) {
		if err := srv.HandleTokenRequest(w, r); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
		}
	})
	fail(http.Serve(ln, mux))
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "peer-gooauth2:", err)
	os.Exit(1)
}
