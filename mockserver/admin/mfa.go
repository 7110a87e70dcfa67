package admin

import (
	"errors"
	"net/http"

	"github.com/ropcgo/ropc/mockserver"
)

// MFARequest is the body of POST /_admin/mfa/approve and /_admin/mfa/deny.
type MFARequest struct {
	Username string `json:"username"`
}

// postMFA answers the pending out-of-band challenge of a user the way the
// user's phone would: approve or deny.
func (h *Handler) postMFA(approve bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		b, ok := readBody(w, r)
		if !ok {
			return
		}
		var req MFARequest
		if err := decodeStrict(b, &req); err != nil {
			badRequest(w, err)
			return
		}
		if req.Username == "" {
			badRequest(w, fieldErr("username", "required"))
			return
		}
		resolve, verb := h.srv.ApproveMFA, "approved"
		if !approve {
			resolve, verb = h.srv.DenyMFA, "denied"
		}
		if err := resolve(req.Username); err != nil {
			if errors.Is(err, mockserver.ErrNotFound) {
				writeAdminError(w, http.StatusNotFound, "username", err.Error())
				return
			}
			// The store failed (the state is kept there, in SQL on some hosts).
			h.logger.Error("admin: out-of-band answer", "error", err.Error())
			writeAdminError(w, http.StatusInternalServerError, "", "the store failed; see the log")
			return
		}
		h.logger.Info("admin: out-of-band challenge "+verb, "username", req.Username)
		w.WriteHeader(http.StatusNoContent)
	}
}

// getMFA lists the users whose out-of-band challenge waits for an answer,
// so a test can approve exactly when the client has asked.
func (h *Handler) getMFA(w http.ResponseWriter, r *http.Request) {
	pending, err := h.srv.ListPendingMFA(r.Context())
	if err != nil {
		h.logger.Error("admin: pending out-of-band challenges", "error", err.Error())
		writeAdminError(w, http.StatusInternalServerError, "", "the store failed; see the log")
		return
	}
	writeJSON(w, http.StatusOK, map[string][]string{"pending": pending})
}
