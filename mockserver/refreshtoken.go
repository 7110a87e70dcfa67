package mockserver

import (
	"context"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"hash"
	"sync"
	"time"
)

// Refresh tokens (RFC 6749 §1.5, §6), in two forms.
//
// With the in-memory store, the first refresh token of a grant is
// self-contained: it carries its family, client, subject, scope and
// lifetime, with a MAC under a key derived from the signing key, so a
// password grant writes nothing to the store. State starts with its first
// use: spending it is one atomic SpendOnce, so a second use is reuse
// (RFC 9700 §4.14.2) and ends the family, like any rotated token's. Every
// other refresh token is random and stored by hash (memstore.go keeps one
// per generation until the family ends). To the client both are opaque.
//
// Such a token names the server's refresh epoch, drawn at random when the
// server starts and again at Reset: like the tokens in memory, none
// survives a restart or a Reset. A shared or persistent store (SQL, D1)
// stores every refresh token, so every instance and restart sees them.

// selfContainedVersion is the first byte of a decoded self-contained token.
const selfContainedVersion = 'R'

// refreshMACSize is the MAC's length in a token: HMAC-SHA256 cut to 128
// bits (a forgery succeeds with probability 2^-128 per try), the size of
// the random family id.
const refreshMACSize = 16

// refreshMAC computes the MAC of self-contained refresh tokens.
type refreshMAC struct {
	pool sync.Pool // of hash.Hash (HMAC-SHA256 under the key)
}

// newRefreshMAC derives the MAC key from the signing key's private JWK
// (HKDF, RFC 5869), so that every instance with the same key (Workers
// isolates, a restart with a key file) accepts the same tokens.
func newRefreshMAC(privateJWK []byte) (*refreshMAC, error) {
	key, err := hkdf.Key(sha256.New, privateJWK, nil, "ropc-mock self-contained refresh token v1", 32)
	if err != nil {
		return nil, err
	}
	m := &refreshMAC{}
	m.pool.New = func() any { return hmac.New(sha256.New, key) }
	return m, nil
}

// appendSum appends the MAC of payload to dst.
func (m *refreshMAC) appendSum(dst, payload []byte) []byte {
	h := m.pool.Get().(hash.Hash)
	h.Reset()
	h.Write(payload)
	var sum [sha256.Size]byte
	out := append(dst, h.Sum(sum[:0])[:refreshMACSize]...)
	m.pool.Put(h)
	return out
}

// mintRefreshToken makes the self-contained first refresh token of a grant:
// BASE64URL(version | epoch | family | client_id | subject | scope | issued
// | expires | MAC), the epoch as uvarint, strings length-prefixed and times
// as varint unix nanoseconds.
func (st *state) mintRefreshToken(epoch uint64, rt RefreshToken) string {
	var buf [256]byte
	b := append(buf[:0], selfContainedVersion)
	b = binary.AppendUvarint(b, epoch)
	for _, s := range [...]string{rt.Family, rt.ClientID, rt.Subject, rt.Scope} {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	b = binary.AppendVarint(b, rt.IssuedAt.UnixNano())
	b = binary.AppendVarint(b, rt.ExpiresAt.UnixNano())
	b = st.key.refresh.appendSum(b, b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// parseRefreshToken reads a self-contained refresh token of epoch; ok is
// false for anything else (a stored token, garbage, a forgery, another
// key's or epoch's token).
func (st *state) parseRefreshToken(epoch uint64, tok string) (rt RefreshToken, ok bool) {
	// The shortest has a 22-character family and no other string; a random
	// stored token (43 characters) is shorter.
	if len(tok) < 60 || len(tok) > maxRefreshTokenLen {
		return rt, false
	}
	raw, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil || len(raw) < 1+refreshMACSize || raw[0] != selfContainedVersion {
		return rt, false
	}
	payload, mac := raw[:len(raw)-refreshMACSize], raw[len(raw)-refreshMACSize:]
	var sum [refreshMACSize]byte
	if !hmac.Equal(st.key.refresh.appendSum(sum[:0], payload), mac) {
		return rt, false
	}
	e, k := binary.Uvarint(payload[1:])
	if k <= 0 || e != epoch {
		return rt, false
	}
	p := payload[1+k:]
	var fields [4]string
	for i := range fields {
		n, k := binary.Uvarint(p)
		if k <= 0 || n > uint64(len(p)-k) {
			return rt, false
		}
		fields[i], p = string(p[k:k+int(n)]), p[k+int(n):]
	}
	iat, k := binary.Varint(p)
	if k <= 0 {
		return rt, false
	}
	exp, k2 := binary.Varint(p[k:])
	if k2 <= 0 || k+k2 != len(p) {
		return rt, false
	}
	return RefreshToken{
		Family: fields[0], ClientID: fields[1], Subject: fields[2], Scope: fields[3],
		IssuedAt: time.Unix(0, iat).UTC(), ExpiresAt: time.Unix(0, exp).UTC(), selfContained: true,
	}, true
}

// maxRefreshTokenLen bounds the tokens the mock looks at: longer strings
// are neither of its forms (and are not hashed or decoded).
const maxRefreshTokenLen = 4096

// spentID is the store id that records a self-contained token's use.
func spentID(tok string) string { return "refresh-spent:" + TokenHash(tok) }

// lookupRefreshToken finds tok in either form, with FamilyRevoked set.
// withUse also marks a self-contained token that has been spent as used
// (UsedAt non-zero), as the store does a rotated one. ErrNotFound if it is
// neither a valid self-contained token nor a stored one.
func (s *Server) lookupRefreshToken(ctx context.Context, st *state, tok string, withUse bool) (RefreshToken, error) {
	if tok == "" || len(tok) > maxRefreshTokenLen || looksLikeJWT(tok) {
		return RefreshToken{}, ErrNotFound
	}
	rt, ok := RefreshToken{}, false
	if s.selfContainedRefresh {
		rt, ok = st.parseRefreshToken(s.refreshEpoch.Load(), tok)
	}
	if !ok {
		return s.store.GetRefreshToken(ctx, TokenHash(tok))
	}
	revoked, err := s.store.IsRevoked(ctx, rt.Family)
	if err != nil {
		return RefreshToken{}, err
	}
	rt.FamilyRevoked = revoked
	if withUse && !revoked {
		spent, err := s.store.IsRevoked(ctx, spentID(tok))
		if err != nil {
			return RefreshToken{}, err
		}
		if spent {
			rt.UsedAt = rt.IssuedAt // some time; only "used" matters
		}
	}
	return rt, nil
}

// consumeRefreshToken marks rt (found by lookupRefreshToken from tok) as
// used at now, atomically: false if it already was (reuse).
func (s *Server) consumeRefreshToken(ctx context.Context, rt RefreshToken, tok string, now time.Time) (bool, error) {
	if !rt.selfContained {
		return s.store.ConsumeRefreshToken(ctx, rt.Hash, now)
	}
	return s.store.SpendOnce(ctx, spentID(tok), now, rt.ExpiresAt)
}

// newRefreshEpoch draws a random epoch (from the server's random source, so
// a seeded one keeps tokens reproducible).
func (s *Server) newRefreshEpoch() error {
	var b [8]byte
	if err := s.randomBytes(b[:]); err != nil {
		return err
	}
	s.refreshEpoch.Store(binary.LittleEndian.Uint64(b[:]))
	return nil
}
