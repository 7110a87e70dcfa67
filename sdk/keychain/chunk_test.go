package keychain

import (
	"crypto/sha256"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestHeadRoundTrip(t *testing.T) {
	b := []byte(strings.Repeat("record ", 1000))
	parts := split(b, 2560)
	h := headFor(b, len(parts))
	got, chunked, err := parseHead(h.String())
	require.NoError(t, err)
	require.True(t, chunked)
	assert.Equal(t, h, got)
	joined, err := got.join(parts)
	require.NoError(t, err)
	assert.Equal(t, b, joined)

	_, chunked, err = parseHead(`{"v":1}`)
	require.NoError(t, err)
	assert.False(t, chunked, "a record is not a head")
}

func TestParseHeadRejects(t *testing.T) {
	for _, v := range []string{
		headPrefix, headPrefix + "1:2", headPrefix + "0:10:" + strings.Repeat("0", 64),
		headPrefix + "999999:10:" + strings.Repeat("0", 64), headPrefix + "2:-1:" + strings.Repeat("0", 64),
		headPrefix + "2:10:zz", headPrefix + "2:10:" + strings.Repeat("0", 62),
	} {
		_, chunked, err := parseHead(v)
		assert.True(t, chunked, v)
		assert.Error(t, err, v)
	}
}

func FuzzParseHead(f *testing.F) {
	b := []byte("some record bytes")
	f.Add(headFor(b, 2).String(), "some rec", "ord bytes")
	f.Add(headPrefix+"2:5:00", "a", "b")
	f.Fuzz(func(t *testing.T, head, p1, p2 string) {
		h, chunked, err := parseHead(head)
		if err != nil || !chunked {
			return
		}
		joined, err := h.join([]string{p1, p2})
		if err != nil {
			return
		}
		// Whatever is accepted is exactly what the head describes.
		require.Equal(t, h.size, len(joined))
		require.Equal(t, h.sum, sha256.Sum256(joined))
	})
}
