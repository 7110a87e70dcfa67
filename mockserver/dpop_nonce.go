package mockserver

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"sync"
	"time"
)

// newDPoPNonce makes a server nonce (RFC 9449 §8), stateless: base64url of
// the 8-byte issue time (Unix seconds, mock clock) and 16 bytes of
// HMAC-SHA256 over it.
func (s *Server) newDPoPNonce(st *state) string {
	var b [24]byte
	binary.BigEndian.PutUint64(b[:8], uint64(s.clock.Now().Unix()))
	mac := hmac.New(sha256.New, dpopNonceKey(st.key))
	mac.Write(b[:8])
	copy(b[8:], mac.Sum(nil))
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// validDPoPNonce accepts a nonce of this key younger than DPoPNonceLifetime.
func (s *Server) validDPoPNonce(st *state, nonce string, now time.Time) bool {
	b, err := base64.RawURLEncoding.DecodeString(nonce)
	if err != nil || len(b) != 24 {
		return false
	}
	mac := hmac.New(sha256.New, dpopNonceKey(st.key))
	mac.Write(b[:8])
	if !hmac.Equal(b[8:], mac.Sum(nil)[:16]) {
		return false
	}
	issued := time.Unix(int64(binary.BigEndian.Uint64(b[:8])), 0)
	age := now.Sub(issued)
	return age >= -time.Second && age < DPoPNonceLifetime
}

// DPoPNonce returns a fresh nonce, for fault rules that demand one.
func (s *Server) DPoPNonce() string { return s.newDPoPNonce(s.state.Load()) }

var (
	processNonceSecretOnce sync.Once
	processNonceSecret     [32]byte
)

// dpopNonceKey derives the nonce MAC key from the private signing key, so
// instances sharing the key share nonces. A signer whose private bytes are
// out of reach (an HSM, say) gets a per-process key.
func dpopNonceKey(k *signingKey) []byte {
	h := sha256.New()
	h.Write([]byte("ropc-mock DPoP nonce key\x00"))
	var secret []byte
	switch p := k.signer.(type) {
	case ed25519.PrivateKey:
		secret = p.Seed()
	case *ecdsa.PrivateKey:
		secret, _ = p.Bytes()
	}
	if len(secret) == 0 {
		processNonceSecretOnce.Do(func() { _, _ = rand.Read(processNonceSecret[:]) })
		secret = processNonceSecret[:]
	}
	h.Write(secret)
	return h.Sum(nil)
}
