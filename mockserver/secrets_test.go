package mockserver

import (
	"crypto/sha256"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestSecretMatches(t *testing.T) {
	c := &clientEntry{secretHash: sha256.Sum256([]byte("s3cret"))}
	assert.True(t, secretMatches(c, "s3cret"))
	for _, wrong := range []string{"", "s3cre", "s3cret ", "S3CRET"} {
		assert.False(t, secretMatches(c, wrong), wrong)
	}
}

func TestDecodeStdBase64(t *testing.T) {
	for in, want := range map[string]string{"YWI6Yw==": "ab:c", "YWI6Yw": "ab:c", "": ""} {
		got, err := decodeStdBase64(in)
		assert.NoError(t, err, in)
		assert.Equal(t, want, string(got), in)
	}
	_, err := decodeStdBase64("YW*6")
	assert.Error(t, err)
}
