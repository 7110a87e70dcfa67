package mockserver

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestRevoke(t *testing.T) {
	for _, format := range []string{TokenFormatJWT, TokenFormatOpaque} {
		t.Run(format, func(t *testing.T) {
			cfg := DefaultConfig()
			cfg.TokenFormat = format
			ts := newTestServer(t, cfg, Options{})
			m := ts.mustPassword("johndoe", "A3ddj3w")
			revoke := func(tok string) result {
				return ts.do(http.MethodPost, "/revoke", url.Values{"token": {tok}}.Encode(), basicHeader("client_id", "client_secret"))
			}
			r := revoke(str(m, "access_token"))
			assert.Equal(t, http.StatusOK, r.Code)
			// RFC 7009 §2.2: the body is ignored by clients; it is JSON so
			// clients that insist on a JSON content type cope.
			assert.Equal(t, "application/json", r.Header.Get("Content-Type"))
			assert.JSONEq(t, `{}`, r.Body)
			assert.Equal(t, http.StatusUnauthorized, ts.userinfo(str(m, "access_token")).Code)
			assert.Equal(t, http.StatusOK, ts.refresh(str(m, "refresh_token")).Code, "the grant lives on")

			n := ts.mustPassword("johndoe", "A3ddj3w")
			assert.Equal(t, http.StatusOK, revoke(str(n, "refresh_token")).Code)
			assert.Equal(t, http.StatusUnauthorized, ts.userinfo(str(n, "access_token")).Code, "family revoked")
			assert.Equal(t, http.StatusOK, revoke("unknown").Code)
		})
	}
}
