package mockserver

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestTOTPVectors: RFC 6238 Appendix B, SHA-1 rows. The RFC's codes have 8
// digits; a 6-digit code is the same value modulo 10^6, its last 6 digits.
func TestTOTPVectors(t *testing.T) {
	for _, tc := range []struct {
		unix int64
		want string
	}{
		{59, "287082"},          // 94287082
		{1111111109, "081804"},  // 07081804
		{1111111111, "050471"},  // 14050471
		{1234567890, "005924"},  // 89005924
		{2000000000, "279037"},  // 69279037
		{20000000000, "353130"}, // 65353130
	} {
		got, err := TOTP(testTOTPSecret, time.Unix(tc.unix, 0))
		require.NoError(t, err)
		assert.Equal(t, tc.want, got, "T=%d", tc.unix)
	}
	_, err := TOTP("nope!", time.Unix(59, 0))
	assert.ErrorContains(t, err, "not base32")
}

func TestMatchTOTP(t *testing.T) {
	key, err := decodeTOTPSecret(testTOTPSecret)
	require.NoError(t, err)
	now := time.Unix(1111111111, 0) // step 37037037
	step := totpStep(now)
	code := func(d int64) string { return hotp(key, step+d) }
	for _, tc := range []struct {
		name      string
		code      string
		notBefore int64
		ok        bool
		step      int64
	}{
		{"current step", code(0), -1, true, step},
		{"previous step (skew)", code(-1), -1, true, step - 1},
		{"next step (skew)", code(1), -1, true, step + 1},
		{"two steps back", code(-2), -1, false, 0},
		{"two steps ahead", code(2), -1, false, 0},
		{"already used step", code(0), step, false, 0},
		{"earlier than a used step", code(-1), step, false, 0},
		{"later than a used step", code(1), step, true, step + 1},
		{"wrong length", "12345", -1, false, 0},
		{"not digits", "abcdef", -1, false, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := matchTOTP(key, tc.code, now, tc.notBefore)
			assert.Equal(t, tc.ok, ok)
			assert.Equal(t, tc.step, got)
		})
	}
}
