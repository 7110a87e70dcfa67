package mockserver

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base32"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"time"
)

// RFC 6238 parameters the mock uses (the values every authenticator app
// defaults to): SHA-1, a 30 s step from T0 = 0, 6 digits.
const (
	TOTPStep   = 30 * time.Second
	TOTPDigits = 6
	// totpSkew is how many steps either side of now are accepted (RFC 6238
	// §5.2 recommends at most one step of network delay).
	totpSkew = 1
	// minTOTPSecretBytes: RFC 4226 §4 R6: "The length of the shared secret
	// MUST be at least 128 bits."
	minTOTPSecretBytes = 16
)

var base32Std = base32.StdEncoding

// MFA is a user's second factor.
type MFA struct {
	// Type is "totp" (RFC 6238 one-time codes) or "oob" (an out-of-band
	// approval, such as a push notification, granted or refused with
	// /_admin/mfa/approve and /_admin/mfa/deny).
	Type string `json:"type"`
	// Secret is the base32 (RFC 4648 §6) TOTP key, as in an otpauth:// URI;
	// padding and case do not matter. Only for "totp".
	Secret string `json:"secret,omitempty"`
	// OOB gives a "totp" user an out-of-band factor as well, so the user
	// has two authenticators to choose from (Auth0's GET
	// /mfa/authenticators lists both; the challenge's authenticator_id or
	// challenge type picks one).
	OOB bool `json:"oob,omitempty"`
}

// MFA types.
const (
	MFATypeTOTP = "totp"
	MFATypeOOB  = "oob"
)

// String redacts the secret.
func (m MFA) String() string {
	if m.OOB {
		return fmt.Sprintf("MFA{Type:%q secret:%s OOB:true}", m.Type, redacted(m.Secret))
	}
	return fmt.Sprintf("MFA{Type:%q secret:%s}", m.Type, redacted(m.Secret))
}

// GoString redacts the secret.
func (m MFA) GoString() string { return "mockserver." + m.String() }

// decodeTOTPSecret decodes a base32 secret, ignoring case, spaces and
// padding, as authenticator apps do.
func decodeTOTPSecret(secret string) ([]byte, error) {
	s := strings.ToUpper(strings.ReplaceAll(secret, " ", ""))
	s = strings.TrimRight(s, "=")
	key, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(s)
	if err != nil {
		return nil, errors.New("not base32 (RFC 4648 §6: letters A-Z and digits 2-7)")
	}
	if len(key) < minTOTPSecretBytes {
		return nil, fmt.Errorf("%d bits is too short; RFC 4226 §4 requires at least 128 (26 base32 characters)", len(key)*8)
	}
	return key, nil
}

// TOTP returns the RFC 6238 code of secret (base32) at t: SHA-1, 30 s steps,
// 6 digits. Tests use it to sign in as a user with a TOTP factor.
func TOTP(secret string, t time.Time) (string, error) {
	key, err := decodeTOTPSecret(secret)
	if err != nil {
		return "", fmt.Errorf("mockserver: TOTP secret: %w", err)
	}
	return hotp(key, totpStep(t)), nil
}

// totpStep is RFC 6238 §4.2's T = floor((unix time - T0) / X).
func totpStep(t time.Time) int64 {
	return t.Unix() / int64(TOTPStep/time.Second)
}

// hotp is RFC 4226 §5.3: HMAC-SHA-1 of the 8-byte counter, dynamic
// truncation, modulo 10^digits, zero-padded.
func hotp(key []byte, counter int64) string {
	var msg [8]byte
	binary.BigEndian.PutUint64(msg[:], uint64(counter))
	mac := hmac.New(sha1.New, key)
	mac.Write(msg[:])
	sum := mac.Sum(nil)
	off := sum[len(sum)-1] & 0x0f
	bin := binary.BigEndian.Uint32(sum[off:off+4]) & 0x7fffffff
	return fmt.Sprintf("%0*d", TOTPDigits, bin%1_000_000)
}

// matchTOTP returns the step whose code equals code, looking at now's step
// and totpSkew steps either side, and only at steps after notBefore (RFC
// 6238 §5.2: an accepted code must not be accepted again). ok is false when
// nothing matches.
func matchTOTP(key []byte, code string, now time.Time, notBefore int64) (step int64, ok bool) {
	if len(code) != TOTPDigits {
		return 0, false
	}
	cur := totpStep(now)
	for d := -totpSkew; d <= totpSkew; d++ {
		st := cur + int64(d)
		if st <= notBefore {
			continue
		}
		if hmac.Equal([]byte(hotp(key, st)), []byte(code)) {
			return st, true
		}
	}
	return 0, false
}
