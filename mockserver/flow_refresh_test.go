package mockserver

import (
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestRefreshTokenExpires(t *testing.T) {
	cfg := DefaultConfig()
	cfg.RefreshTokenTTL = Duration(time.Hour)
	ts := newTestServer(t, cfg, Options{})
	m := ts.mustPassword("johndoe", "A3ddj3w")
	ts.Clock().Advance(time.Hour)
	r := ts.refresh(str(m, "refresh_token"))
	assert.Equal(t, http.StatusBadRequest, r.Code)
	assert.Equal(t, "invalid_grant", r.json(t)["error"])
	assert.Equal(t, false, ts.introspect(str(m, "refresh_token"))["active"])
}

func TestConcurrentRefreshOnlyOneWins(t *testing.T) {
	ts := newTestServer(t, nil, Options{})
	rt := str(ts.mustPassword("johndoe", "A3ddj3w"), "refresh_token")
	var wg sync.WaitGroup
	codes := make(chan int, 8)
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			codes <- ts.refresh(rt).Code
		}()
	}
	wg.Wait()
	close(codes)
	ok := 0
	for c := range codes {
		if c == http.StatusOK {
			ok++
		}
	}
	assert.Equal(t, 1, ok, "a refresh token is consumed exactly once")
}
