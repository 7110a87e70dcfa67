package mockserver

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
)

// constantTimeEq compares equal-length digests without early exit.
func constantTimeEq(a, b []byte) bool { return subtle.ConstantTimeCompare(a, b) == 1 }

// secretMatches compares digests so the comparison time does not depend on
// where (or whether) the secret differs, nor on its length.
func secretMatches(c *clientEntry, secret string) bool {
	d := sha256.Sum256([]byte(secret))
	return constantTimeEq(d[:], c.secretHash[:])
}

// decodeStdBase64 accepts padded and unpadded standard base64, as clients
// differ.
func decodeStdBase64(s string) ([]byte, error) {
	if b, err := base64.StdEncoding.DecodeString(s); err == nil {
		return b, nil
	}
	return base64.RawStdEncoding.DecodeString(s)
}
