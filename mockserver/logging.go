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
