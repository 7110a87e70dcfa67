package mockserver

import "log/slog"

const (
	debugLevel = slog.LevelDebug
	infoLevel  = slog.LevelInfo
	warnLevel  = slog.LevelWarn
	errorLevel = slog.LevelError
)

func slogStr(k, v string) slog.Attr { return slog.String(k, v) }
