package mockserver

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	jose "github.com/go-jose/go-jose/v4"
)

// signingKey is the resolved key that signs JWT access tokens.
type signingKey struct {
	signer crypto.Signer
	alg    jose.SignatureAlgorithm
	kid    string
	jws    *compactSigner
	jwks   []byte // {"keys":[public JWK]}
	public jose.JSONWebKey
	// refresh makes and checks self-contained refresh tokens
	// (refreshtoken.go) under a key derived from this one.
	refresh *refreshMAC
}

// parseSigningJWK reads a private JWK (EC P-256 or OKP Ed25519).
func parseSigningJWK(data []byte) (crypto.Signer, error) {
	var k jose.JSONWebKey
	if err := json.Unmarshal(data, &k); err != nil {
		return nil, fmt.Errorf("not a JWK: %s", errors.Unwrap(err))
	}
	if k.IsPublic() {
		return nil, errors.New("a private JWK is required (it has no private part)")
	}
	switch key := k.Key.(type) {
	case ed25519.PrivateKey:
		return key, nil
	case *ecdsa.PrivateKey:
		if key.Curve != elliptic.P256() {
			return nil, errors.New("EC keys must use curve P-256 (ES256)")
		}
		return key, nil
	default:
		return nil, fmt.Errorf("unsupported key type %T (want EC P-256 or OKP Ed25519)", k.Key)
	}
}

// MarshalSigningKey returns the private JWK JSON of key, suitable for the
// config's signing_key or a key file.
func MarshalSigningKey(key crypto.Signer) ([]byte, error) {
	jwk, _, err := signingJWK(key)
	if err != nil {
		return nil, err
	}
	return json.MarshalIndent(jwk, "", "  ")
}

// GenerateSigningKey returns a new Ed25519 key read from r (crypto/rand if
// nil). Ed25519 signatures are deterministic, which makes golden tests with
// a seeded reader reproducible, and signing is fast.
func GenerateSigningKey(r io.Reader) (crypto.Signer, error) {
	if r == nil {
		r = rand.Reader
	}
	seed := make([]byte, ed25519.SeedSize)
	if _, err := io.ReadFull(r, seed); err != nil {
		return nil, fmt.Errorf("generate signing key: %w", err)
	}
	return ed25519.NewKeyFromSeed(seed), nil
}

// LoadOrCreateKeyFile reads a private JWK from path, or generates one and
// writes it there with mode 0600 if the file does not exist, so that tokens
// survive a restart of the mock.
func LoadOrCreateKeyFile(path string, r io.Reader) (crypto.Signer, error) {
	data, err := os.ReadFile(path)
	if err == nil {
		key, err := parseSigningJWK(data)
		if err != nil {
			return nil, fmt.Errorf("key file %s: %w", path, err)
		}
		return key, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("key file %s: %w", path, errors.Unwrap(err))
	}
	key, err := GenerateSigningKey(r)
	if err != nil {
		return nil, err
	}
	out, err := MarshalSigningKey(key)
	if err != nil {
		return nil, err
	}
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("key file %s: %w", path, err)
		}
	}
	// O_EXCL: two mocks started at once must not overwrite each other's key.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		if errors.Is(err, fs.ErrExist) {
			return LoadOrCreateKeyFile(path, r)
		}
		return nil, fmt.Errorf("key file %s: %w", path, err)
	}
	if _, err := f.Write(append(out, '\n')); err != nil {
		f.Close()
		return nil, fmt.Errorf("key file %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return nil, fmt.Errorf("key file %s: %w", path, err)
	}
	return key, nil
}

func algFor(key crypto.Signer) (jose.SignatureAlgorithm, error) {
	switch k := key.(type) {
	case ed25519.PrivateKey:
		return jose.EdDSA, nil
	case *ecdsa.PrivateKey:
		if k.Curve == elliptic.P256() {
			return jose.ES256, nil
		}
	}
	return "", fmt.Errorf("unsupported signing key %T (want *ecdsa.PrivateKey on P-256 or ed25519.PrivateKey)", key)
}

// thumbprintKID is the RFC 7638 thumbprint: a kid that is stable for a key.
func thumbprintKID(jwk jose.JSONWebKey) (string, error) {
	pub := jwk.Public()
	tp, err := pub.Thumbprint(crypto.SHA256)
	if err != nil {
		return "", err
	}
	return b64(tp), nil
}

// signingJWK wraps key as a signing JWK whose kid is its RFC 7638
// thumbprint, so the kid is stable for as long as the key is.
func signingJWK(key crypto.Signer) (jose.JSONWebKey, jose.SignatureAlgorithm, error) {
	alg, err := algFor(key)
	if err != nil {
		return jose.JSONWebKey{}, "", err
	}
	jwk := jose.JSONWebKey{Key: key, Algorithm: string(alg), Use: "sig"}
	kid, err := thumbprintKID(jwk)
	if err != nil {
		return jose.JSONWebKey{}, "", err
	}
	jwk.KeyID = kid
	return jwk, alg, nil
}

func newSigningKey(key crypto.Signer) (*signingKey, error) {
	jwk, alg, err := signingJWK(key)
	if err != nil {
		return nil, err
	}
	// RFC 9068 §2.1: typ "at+jwt" tells resource servers this is an access
	// token and not, say, an ID token.
	opts := (&jose.SignerOptions{}).WithType("at+jwt")
	js, err := jose.NewSigner(jose.SigningKey{Algorithm: alg, Key: jwk}, opts)
	if err != nil {
		return nil, err
	}
	pub := jwk.Public()
	jwks, err := json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{pub}})
	if err != nil {
		return nil, err
	}
	cs, err := newCompactSigner(js, key, alg, pub)
	if err != nil {
		return nil, err
	}
	private, err := jwk.MarshalJSON()
	if err != nil {
		return nil, err
	}
	mac, err := newRefreshMAC(private)
	if err != nil {
		return nil, err
	}
	return &signingKey{signer: key, alg: alg, kid: jwk.KeyID, jws: cs, jwks: jwks, public: pub, refresh: mac}, nil
}

// keyFingerprint identifies a key's public part (to tell whether a reload
// changed it).
func keyFingerprint(key crypto.Signer) string {
	b, _ := json.Marshal(jose.JSONWebKey{Key: key.Public()})
	sum := sha256.Sum256(b)
	return b64(sum[:])
}
