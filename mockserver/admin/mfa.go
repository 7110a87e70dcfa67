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
			badRequest(w, err)
			return
		}
		h.logger.Info("admin: out-of-band challenge "+verb, "username", req.Username)
		w.WriteHeader(http.StatusNoContent)
	}
}

// getMFA lists the users whose out-of-band challenge waits for an answer,
// so a test can approve exactly when the client has asked.
func (h *Handler) getMFA(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string][]string{"pending": h.srv.PendingMFA()})
}
