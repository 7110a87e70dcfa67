//go:build !js

package sqlstore_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ropcgo/ropc/mockserver"
	"github.com/ropcgo/ropc/mockserver/mocktest"
	"github.com/ropcgo/ropc/mockserver/sqlstore"
)

// TestDPoPReplayAcrossInstances plays the Workers case on native SQLite:
// several mock instances, each with its own connection to one state file
// (and its own in-memory jti cache), receive the same DPoP proof at the
// same moment. RFC 9449 §11.1: the jti is accepted once, so exactly one
// request gets tokens and the others are told the proof is a replay.
func TestDPoPReplayAcrossInstances(t *testing.T) {
	const instances, rounds = 8, 10
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "state.db")
	cfg := mockserver.DefaultConfig()
	// The proof's htu names the issuer, so one proof fits every instance.
	cfg.Issuer = "http://auth.test"
	var servers []*mocktest.Server
	for range instances {
		store, db, err := sqlstore.OpenSQLite(ctx, path)
		require.NoError(t, err)
		t.Cleanup(func() { _ = db.Close() })
		servers = append(servers, mocktest.New(t, mocktest.WithConfig(cfg), mocktest.WithOptions(mockserver.Options{Store: store})))
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: key},
		(&jose.SignerOptions{EmbedJWK: true}).WithType("dpop+jwt"))
	require.NoError(t, err)
	form := url.Values{"grant_type": {"password"}, "username": {mocktest.Username}, "password": {mocktest.Password},
		"client_id": {mocktest.PublicClientID}}.Encode()

	for round := range rounds {
		proof := dpopProof(t, signer, "POST", "http://auth.test/token", fmt.Sprint("jti-", round))
		statuses := make([]int, instances)
		bodies := make([]string, instances)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i, srv := range servers {
			wg.Go(func() {
				req, err := http.NewRequestWithContext(ctx, http.MethodPost, srv.TokenURL, strings.NewReader(form))
				if !assert.NoError(t, err) {
					return
				}
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				req.Header.Set("DPoP", proof)
				<-start
				resp, err := srv.Client().Do(req)
				if !assert.NoError(t, err) {
					return
				}
				defer resp.Body.Close()
				b, _ := io.ReadAll(resp.Body)
				statuses[i], bodies[i] = resp.StatusCode, string(b)
			})
		}
		close(start)
		wg.Wait()
		accepted := 0
		for i, status := range statuses {
			switch status {
			case http.StatusOK:
				accepted++
			default:
				assert.Equal(t, http.StatusBadRequest, status, "round %d instance %d: %s", round, i, bodies[i])
				assert.Contains(t, bodies[i], "replay", "round %d instance %d", round, i)
			}
		}
		assert.Equal(t, 1, accepted, "round %d: one proof, one token response; statuses %v", round, statuses)
	}
}

// dpopProof signs an RFC 9449 §4.2 proof with the given jti.
func dpopProof(t *testing.T, signer jose.Signer, method, htu, jti string) string {
	t.Helper()
	b, err := json.Marshal(map[string]any{"jti": base64.RawURLEncoding.EncodeToString([]byte(jti + t.Name())),
		"htm": method, "htu": htu, "iat": time.Now().Unix()})
	require.NoError(t, err)
	jws, err := signer.Sign(b)
	require.NoError(t, err)
	out, err := jws.CompactSerialize()
	require.NoError(t, err)
	return out
}
