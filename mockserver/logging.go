package mockserver

import "log/slog"

// Logging policy: structured records (log/slog) name the event, the
// client_id, grant type, error code and description — never a password,
// client secret, token or token hash. Successful grants log at Debug so a
// load test does not pay for them; refusals at Info; lockouts and
// refresh-token reuse (possible attacks) at Warn; store failures at Error.
// TestLogsHoldNoSecrets checks the policy.
const (
	debugLevel = slog.LevelDebug
	infoLevel  = slog.LevelInfo
	warnLevel  = slog.LevelWarn
	errorLevel = slog.LevelError
)

func slogStr(k, v string) slog.Attr { return slog.String(k, v) }

// loggedGrantTypes are the grant_type values a log line may name. Any other
// value is logged as "unsupported" with its length: a user who types a
// password into the grant_type field must not find it in the log.
var loggedGrantTypes = map[string]bool{
	"password":           true, // RFC 6749 §4.3.2
	"refresh_token":      true, // RFC 6749 §6
	GrantPasswordRealm:   true, // the provider profiles' grant types
	GrantMFAOTP:          true,
	GrantMFAOOB:          true,
	GrantMFARecoveryCode: true,
}

// grantTypeAttrs names a grant type for a log line without echoing an
// unknown value.
func grantTypeAttrs(grantType string) []slog.Attr {
	if grantType == "" || loggedGrantTypes[grantType] {
		return []slog.Attr{slogStr("grant_type", grantType)}
	}
	return []slog.Attr{slogStr("grant_type", "unsupported"), slog.Int("grant_type_len", len(grantType))}
}
