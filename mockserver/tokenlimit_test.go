package mockserver

import (
	"bytes"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMaxTokensEvictsOldestFirst(t *testing.T) {
	for _, format := range []string{TokenFormatJWT, TokenFormatOpaque} {
		t.Run(format, func(t *testing.T) {
			var buf bytes.Buffer
			var mu sync.Mutex
			log := slog.New(slog.NewTextHandler(lockedWriter{&buf, &mu}, nil))
			cfg := DefaultConfig()
			cfg.TokenFormat = format
			cfg.MaxTokens = 100
			ts := newTestServer(t, cfg, Options{Logger: log})
			// A grant's first refresh token is self-contained (never
			// stored); the one its first refresh issues is stored.
			var refresh []string
			for range 150 {
				first := str(ts.mustPassword("johndoe", "A3ddj3w"), "refresh_token")
				r := ts.refresh(first)
				require.Equal(t, http.StatusOK, r.Code, r.Body)
				refresh = append(refresh, str(r.json(t), "refresh_token"))
			}
			m := ts.Store().(*memoryStore)
			m.mu.Lock()
			held := len(m.refresh) + len(m.access)
			m.mu.Unlock()
			assert.LessOrEqual(t, held, 100, "never more than max_tokens")
			assert.Equal(t, http.StatusBadRequest, ts.refresh(refresh[0]).Code, "the oldest grant was dropped")
			assert.Equal(t, http.StatusOK, ts.refresh(refresh[149]).Code, "the newest is kept")

			mu.Lock()
			out := buf.String()
			mu.Unlock()
			warnings := strings.Count(out, "token store full")
			assert.Positive(t, warnings, out)
			assert.Less(t, warnings, 10, "a store that stays full logs a handful of lines, not one per grant")
			assert.Contains(t, out, "max_tokens=100")
		})
	}
}

func TestMaxTokensDefaultAndValidation(t *testing.T) {
	ts := newTestServer(t, nil, Options{})
	assert.Equal(t, DefaultMaxTokens, ts.state.Load().maxTokens)
	assert.Equal(t, 1_000_000, DefaultMaxTokens)
	cfg := DefaultConfig()
	cfg.MaxTokens = -1
	_, err := New(cfg, Options{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "max_tokens")
}
