package mockserver

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"time"
)

// Serve serves h on ln until ctx is done, then shuts down gracefully:
// in-flight requests get up to 5 seconds to finish. It returns nil after a
// clean shutdown. The server's timeouts are kept to within deadlineTick
// (see coarseDeadlines).
func Serve(ctx context.Context, ln net.Listener, h http.Handler, log *slog.Logger) error {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	srv := NewHTTPServer(h, log)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(coarseDeadlines(ln)) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := srv.Shutdown(sctx)
	if serr := <-errc; serr != nil && !errors.Is(serr, http.ErrServerClosed) && err == nil {
		err = serr
	}
	return err
}

// Timeouts of the native server. A client that sends part of a request and
// stalls holds its connection (and at most MaxBodyBytes of body) for
// ReadTimeout at most; an idle keep-alive connection is closed after
// IdleTimeout.
const (
	ReadHeaderTimeout = 10 * time.Second
	ReadTimeout       = 30 * time.Second
	IdleTimeout       = 60 * time.Second
)

// NewHTTPServer is the http.Server that Serve runs: h behind the header,
// read and idle timeouts, with net/http's own errors logged at Warn.
func NewHTTPServer(h http.Handler, log *slog.Logger) *http.Server {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: ReadHeaderTimeout,
		// ReadTimeout covers the body too: with the handler's 64 KiB cap it
		// bounds both the memory and the time a stalled body can hold.
		ReadTimeout:    ReadTimeout,
		IdleTimeout:    IdleTimeout,
		MaxHeaderBytes: 64 << 10,
		ErrorLog:       slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
}

// ReloadFile loads the config file at path and applies it with Reload (the
// SIGHUP action of ropc-mock). An issuer missing from the file is kept from
// the current config. On error the running config is unchanged.
func (s *Server) ReloadFile(path string) error {
	cfg, err := LoadConfig(path)
	if err != nil {
		return err
	}
	if cfg.Issuer == "" {
		cfg.Issuer = s.state.Load().cfg.Issuer
	}
	return s.Reload(cfg)
}
