package admin

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/ropcgo/ropc/mockserver"
)

// maxAdminBody bounds admin request bodies.
const maxAdminBody = 1 << 20

func (h *Handler) routes() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /_admin/faults", h.postFault)
	mux.HandleFunc("GET /_admin/faults", h.getFaults)
	mux.HandleFunc("DELETE /_admin/faults", h.deleteFaults)
	mux.HandleFunc("DELETE /_admin/faults/{id}", h.deleteFault)
	mux.HandleFunc("GET /_admin/requests", h.getRequests)
	mux.HandleFunc("DELETE /_admin/requests", h.deleteRequests)
	mux.HandleFunc("GET /_admin/clock", h.getClock)
	mux.HandleFunc("POST /_admin/clock", h.postClock)
	mux.HandleFunc("POST /_admin/users", h.postUser)
	mux.HandleFunc("DELETE /_admin/users/{username}", h.deleteUser)
	mux.HandleFunc("POST /_admin/clients", h.postClient)
	mux.HandleFunc("DELETE /_admin/clients/{client_id}", h.deleteClient)
	mux.HandleFunc("POST /_admin/reset", h.postReset)
	mux.HandleFunc("GET /_admin/mfa", h.getMFA)
	mux.HandleFunc("POST /_admin/mfa/approve", h.postMFA(true))
	mux.HandleFunc("POST /_admin/mfa/deny", h.postMFA(false))
	return mux
}

func (h *Handler) serveAdmin(w http.ResponseWriter, r *http.Request) {
	if !h.authorize(w, r) {
		return
	}
	if _, pattern := h.api.Handler(r); pattern == "" {
		writeAdminError(w, http.StatusNotFound, "", "no admin route "+r.Method+" "+r.URL.Path)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxAdminBody)
	h.api.ServeHTTP(w, r)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// writeAdminError answers {"error": "<field>: <reason>", "field": "<field>"}.
func writeAdminError(w http.ResponseWriter, status int, field, msg string) {
	body := map[string]string{"error": msg}
	if field != "" {
		body["field"] = field
	}
	writeJSON(w, status, body)
}

// badRequest answers 400, naming the field when the error knows it.
func badRequest(w http.ResponseWriter, err error) {
	var fe *FieldError
	var ce *mockserver.ConfigError
	switch {
	case errors.As(err, &fe):
		writeAdminError(w, http.StatusBadRequest, fe.Field, fe.Error())
	case errors.As(err, &ce):
		// The mock validates users and clients as config entries; drop the
		// "users[3]." position, which means nothing to an admin caller.
		field := ce.Key
		if i := strings.LastIndexByte(field, '.'); i >= 0 {
			field = field[i+1:]
		}
		msg := ce.Problem
		if field != "" {
			msg = field + ": " + msg
		}
		writeAdminError(w, http.StatusBadRequest, field, msg)
	default:
		writeAdminError(w, http.StatusBadRequest, "", err.Error())
	}
}

// removeError answers 404 for an unknown user or client, 400 otherwise (e.g.
// removing the last client leaves an invalid config).
func removeError(w http.ResponseWriter, field string, err error) {
	if errors.Is(err, mockserver.ErrNotFound) {
		writeAdminError(w, http.StatusNotFound, field, err.Error())
		return
	}
	badRequest(w, err)
}

func readBody(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	b, err := io.ReadAll(r.Body)
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			writeAdminError(w, http.StatusRequestEntityTooLarge, "", "admin request body over 1 MiB")
		} else {
			writeAdminError(w, http.StatusBadRequest, "", "could not read the request body")
		}
		return nil, false
	}
	return b, true
}

func (h *Handler) postFault(w http.ResponseWriter, r *http.Request) {
	b, ok := readBody(w, r)
	if !ok {
		return
	}
	rule, err := ParseRule(b)
	if err != nil {
		badRequest(w, err)
		return
	}
	id, err := h.AddFault(rule)
	if err != nil {
		badRequest(w, err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]string{"id": id})
}

func (h *Handler) getFaults(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, h.Faults())
}

func (h *Handler) deleteFaults(w http.ResponseWriter, _ *http.Request) {
	h.ClearFaults()
	h.logger.Info("admin: faults cleared")
	w.WriteHeader(http.StatusNoContent)
}

func (h *Handler) deleteFault(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if !h.RemoveFault(id) {
		writeAdminError(w, http.StatusNotFound, "id", "no fault with id "+id)
		return
	}
	h.logger.Info("admin: fault removed", "id", id)
	w.WriteHeader(http.StatusNoContent)
}

func (h *Handler) getRequests(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, h.Requests())
}

func (h *Handler) deleteRequests(w http.ResponseWriter, _ *http.Request) {
	h.ClearRequests()
	w.WriteHeader(http.StatusNoContent)
}

// ClockRequest is the body of POST /_admin/clock: exactly one field set.
type ClockRequest struct {
	Advance *string `json:"advance,omitempty"` // a Go duration, > 0
	Set     *string `json:"set,omitempty"`     // RFC 3339
	Reset   *bool   `json:"reset,omitempty"`   // must be true
}

// ParseClockRequest validates a clock change fully before anything moves.
func ParseClockRequest(data []byte) (func(*mockserver.Clock), error) {
	var req ClockRequest
	if err := decodeStrict(data, &req); err != nil {
		return nil, err
	}
	n := 0
	for _, set := range []bool{req.Advance != nil, req.Set != nil, req.Reset != nil} {
		if set {
			n++
		}
	}
	if n != 1 {
		return nil, fieldErr("", `give exactly one of "advance", "set" or "reset"`)
	}
	switch {
	case req.Advance != nil:
		d, err := time.ParseDuration(*req.Advance)
		if err != nil || d <= 0 {
			return nil, fieldErr("advance", "must be a positive duration such as \"1h\"")
		}
		return func(c *mockserver.Clock) { c.Advance(d) }, nil
	case req.Set != nil:
		t, err := time.Parse(time.RFC3339Nano, *req.Set)
		if err != nil {
			return nil, fieldErr("set", "must be an RFC 3339 time such as \"2030-01-02T15:04:05Z\"")
		}
		return func(c *mockserver.Clock) { c.Set(t) }, nil
	default:
		if !*req.Reset {
			return nil, fieldErr("reset", "must be true")
		}
		return func(c *mockserver.Clock) { c.Reset() }, nil
	}
}

func (h *Handler) getClock(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"now": h.srv.Clock().Now().UTC().Format(time.RFC3339Nano)})
}

func (h *Handler) postClock(w http.ResponseWriter, r *http.Request) {
	b, ok := readBody(w, r)
	if !ok {
		return
	}
	apply, err := ParseClockRequest(b)
	if err != nil {
		badRequest(w, err)
		return
	}
	apply(h.srv.Clock())
	now := h.srv.Clock().Now().UTC()
	h.logger.Info("admin: clock changed", "now", now)
	h.getClock(w, r)
}

func (h *Handler) postUser(w http.ResponseWriter, r *http.Request) {
	b, ok := readBody(w, r)
	if !ok {
		return
	}
	var u mockserver.User
	if err := decodeStrict(b, &u); err != nil {
		badRequest(w, err)
		return
	}
	if u.Username == "" {
		badRequest(w, fieldErr("username", "required"))
		return
	}
	if err := h.srv.AddUser(u); err != nil {
		badRequest(w, err)
		return
	}
	h.logger.Info("admin: user added", "username", u.Username)
	writeJSON(w, http.StatusCreated, map[string]string{"username": u.Username})
}

func (h *Handler) deleteUser(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("username")
	if err := h.srv.RemoveUser(name); err != nil {
		removeError(w, "username", err)
		return
	}
	h.logger.Info("admin: user removed", "username", name)
	w.WriteHeader(http.StatusNoContent)
}

func (h *Handler) postClient(w http.ResponseWriter, r *http.Request) {
	b, ok := readBody(w, r)
	if !ok {
		return
	}
	var c mockserver.Client
	if err := decodeStrict(b, &c); err != nil {
		badRequest(w, err)
		return
	}
	if c.ClientID == "" {
		badRequest(w, fieldErr("client_id", "required"))
		return
	}
	if err := h.srv.AddClient(c); err != nil {
		badRequest(w, err)
		return
	}
	h.logger.Info("admin: client added", "client_id", c.ClientID)
	writeJSON(w, http.StatusCreated, map[string]string{"client_id": c.ClientID})
}

func (h *Handler) deleteClient(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("client_id")
	if err := h.srv.RemoveClient(id); err != nil {
		removeError(w, "client_id", err)
		return
	}
	h.logger.Info("admin: client removed", "client_id", id)
	w.WriteHeader(http.StatusNoContent)
}

func (h *Handler) postReset(w http.ResponseWriter, _ *http.Request) {
	if err := h.Reset(); err != nil {
		writeAdminError(w, http.StatusInternalServerError, "", "reset failed: "+err.Error())
		return
	}
	h.logger.Info("admin: reset to the loaded config")
	w.WriteHeader(http.StatusNoContent)
}
