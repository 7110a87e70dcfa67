package main

import (
	"context"
	"errors"
	"flag"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"syscall"

	"github.com/ropcgo/ropc/mockserver"
	"github.com/ropcgo/ropc/mockserver/admin"
)

// adminTokenEnv lets the admin token stay out of the process list.
const adminTokenEnv = "ROPC_MOCK_ADMIN_TOKEN"

// adminFlags are -admin and -admin-token.
type adminFlags struct {
	enabled bool
	token   string
}

func registerAdminFlags(fs *flag.FlagSet) *adminFlags {
	a := &adminFlags{}
	fs.BoolVar(&a.enabled, "admin", false, "serve the admin API (faults, journal, clock, users, clients) under /_admin/ to loopback clients")
	fs.StringVar(&a.token, "admin-token", "", "require Authorization: Bearer <token> on /_admin/ (or set "+adminTokenEnv+")")
	return a
}

// wrap puts the admin layer (journal and config-file faults always, /_admin/
// with -admin) around srv, and reloads configPath on SIGHUP until ctx ends.
// issuerFlag is -issuer, which wins over the file's issuer as at start-up.
func (a *adminFlags) wrap(ctx context.Context, srv *mockserver.Server, cfg *mockserver.Config, configPath, issuerFlag string, log *slog.Logger) (http.Handler, error) {
	token := a.token
	if token == "" {
		token = os.Getenv(adminTokenEnv)
	}
	if token != "" && !a.enabled {
		log.Warn("-admin-token has no effect without -admin")
	}
	h, err := admin.New(srv, admin.Options{Enabled: a.enabled, Token: token, Faults: cfg.Faults, Logger: log})
	if err != nil {
		return nil, err
	}
	if a.enabled {
		log.Info("admin API enabled", "path", admin.Prefix, "token_required", token != "")
	}
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	go func() {
		defer signal.Stop(hup)
		for {
			select {
			case <-ctx.Done():
				// Release "hang" requests so graceful shutdown does not wait on them.
				h.Close()
				return
			case <-hup:
				_ = reloadConfig(h, configPath, issuerFlag, cfg.Issuer, log)
			}
		}
	}()
	return h, nil
}

var errNoConfigFile = errors.New("no -config file to reload")

// reloadConfig is the SIGHUP action: read the file again and apply it with
// admin.Handler.Reload, which keeps issued tokens and open connections. A bad
// file is refused and the running config kept.
func reloadConfig(h *admin.Handler, path, issuerFlag, startIssuer string, log *slog.Logger) error {
	if path == "" {
		log.Warn("SIGHUP ignored: started without -config, nothing to reload")
		return errNoConfigFile
	}
	cfg, err := mockserver.LoadConfig(path)
	if err == nil {
		switch {
		case issuerFlag != "":
			cfg.Issuer = issuerFlag
		case cfg.Issuer == "":
			cfg.Issuer = startIssuer
		}
		err = h.Reload(cfg)
	}
	if err != nil {
		log.Error("SIGHUP: new config refused, keeping the running one", "err", err)
		return err
	}
	log.Info("SIGHUP: config reloaded", "file", path, "clients", len(cfg.Clients), "users", len(cfg.Users), "faults", len(cfg.Faults))
	return nil
}
