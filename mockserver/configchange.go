package mockserver

import (
	"context"
	"errors"
	"fmt"
	"slices"
)

// Config returns a copy of the current configuration (including users and
// clients added at run time).
func (s *Server) Config() *Config { return s.state.Load().cfg.clone() }

// update applies f to a copy of the current config and swaps in the result.
func (s *Server) update(f func(c *Config) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	cur := s.state.Load()
	cfg := cur.cfg.clone()
	if err := f(cfg); err != nil {
		return err
	}
	if err := cfg.Validate(); err != nil {
		return err
	}
	st, err := s.buildState(cfg, cur)
	if err != nil {
		return err
	}
	s.state.Store(st)
	return nil
}

// AddUser adds a user, or replaces the user with the same username.
func (s *Server) AddUser(u User) error {
	return s.update(func(c *Config) error {
		c.Users = upsert(c.Users, u, func(x User) bool { return x.Username == u.Username })
		return nil
	})
}

// RemoveUser removes a user; its tokens stop working at the next refresh
// and at /userinfo. ErrNotFound if there is no such user.
func (s *Server) RemoveUser(username string) error {
	return s.update(func(c *Config) error {
		var ok bool
		if c.Users, ok = remove(c.Users, func(x User) bool { return x.Username == username }); !ok {
			return fmt.Errorf("user %q: %w", username, ErrNotFound)
		}
		return nil
	})
}

// AddClient adds a client, or replaces the client with the same client_id.
func (s *Server) AddClient(cl Client) error {
	return s.update(func(c *Config) error {
		c.Clients = upsert(c.Clients, cl, func(x Client) bool { return x.ClientID == cl.ClientID })
		return nil
	})
}

// RemoveClient removes a client. ErrNotFound if there is no such client.
func (s *Server) RemoveClient(clientID string) error {
	return s.update(func(c *Config) error {
		var ok bool
		if c.Clients, ok = remove(c.Clients, func(x Client) bool { return x.ClientID == clientID }); !ok {
			return fmt.Errorf("client %q: %w", clientID, ErrNotFound)
		}
		return nil
	})
}

// upsert replaces the element that is the same as v, or appends v.
func upsert[T any](list []T, v T, same func(T) bool) []T {
	if i := slices.IndexFunc(list, same); i >= 0 {
		list[i] = v
		return list
	}
	return append(list, v)
}

// remove deletes the element that match selects and reports whether there was one.
func remove[T any](list []T, match func(T) bool) ([]T, bool) {
	i := slices.IndexFunc(list, match)
	if i < 0 {
		return list, false
	}
	return slices.Delete(list, i, i+1), true
}

// Reload swaps in a new configuration (users, clients, TTLs, lockout, token
// format) and keeps the store, so issued tokens stay valid. The signing key
// changes only if cfg names a different one. It also becomes the config
// Reset returns to.
func (s *Server) Reload(cfg *Config) error {
	if cfg == nil {
		return errors.New("mockserver: Reload: nil config")
	}
	if err := cfg.Validate(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	st, err := s.buildState(cfg.clone(), s.state.Load())
	if err != nil {
		return err
	}
	s.loaded = cfg.clone()
	s.state.Store(st)
	s.log.Info("config reloaded", "clients", len(cfg.Clients), "users", len(cfg.Users))
	return nil
}

// Reset returns to the loaded (or last reloaded) config, clears the store
// and resets the clock to real time.
func (s *Server) Reset() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	st, err := s.buildState(s.loaded.clone(), s.state.Load())
	if err != nil {
		return err
	}
	if err := s.store.Clear(context.Background()); err != nil {
		return err
	}
	// The self-contained refresh tokens were never in the store.
	if s.selfContainedRefresh {
		if err := s.newRefreshEpoch(); err != nil {
			return err
		}
	}
	s.clock.Reset()
	s.state.Store(st)
	return nil
}
