package api

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/tokentray/tokentray/app/session"
	"github.com/tokentray/tokentray/auth"
)

// DeviceLoginEvent is one line of the newline-delimited JSON a device
// login streams: first the code to show, then the outcome.
type DeviceLoginEvent struct {
	*session.DeviceCode
	Done    bool   `json:"done,omitempty"`
	Error   string `json:"error,omitempty"`
	Message string `json:"message,omitempty"`
}

// PasteRequest is the body of POST /v1/login/{profile}/callback: the
// address a browser on another machine ended on.
type PasteRequest struct {
	URL string `json:"url"`
}

// deviceLogin serves POST /v1/login/{profile}/device: it starts (or
// joins) a device login (RFC 8628) and streams its code and outcome.
func (s *Server) deviceLogin(w http.ResponseWriter, r *http.Request) {
	sess, ok := s.session(w, r)
	if !ok {
		return
	}
	// The stream lasts as long as the login: lift the write deadline.
	http.NewResponseController(w).SetWriteDeadline(time.Time{})
	w.Header().Set("Content-Type", "application/x-ndjson")
	w.WriteHeader(http.StatusOK)
	enc := json.NewEncoder(w)
	flush := func() { http.NewResponseController(w).Flush() }
	flush()
	err := sess.LoginDevice(r.Context(), func(c session.DeviceCode) {
		enc.Encode(DeviceLoginEvent{DeviceCode: &c})
		flush()
	})
	if err != nil {
		enc.Encode(DeviceLoginEvent{Error: loginErrorCode(err), Message: err.Error()})
		return
	}
	enc.Encode(DeviceLoginEvent{Done: true})
}

// loginErrorCode names how a login ended.
func loginErrorCode(err error) string {
	var se *session.Error
	switch {
	case errors.Is(err, session.ErrLoginCancelled):
		return "cancelled"
	case errors.As(err, &se):
		return se.Code
	}
	return "login_failed"
}

// pasteLogin serves POST /v1/login/{profile}/callback: the pending browser
// login takes the pasted address through the callback's checks. The
// answer comes when the login has ended, or at once when the address was
// refused and the login goes on.
func (s *Server) pasteLogin(w http.ResponseWriter, r *http.Request) {
	sess, ok := s.session(w, r)
	if !ok {
		return
	}
	var req PasteRequest
	if !readJSON(w, r, &req) {
		return
	}
	if strings.TrimSpace(req.URL) == "" {
		writeError(w, http.StatusBadRequest, "bad_request", "url is empty")
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), maxWait)
	defer cancel()
	err := sess.PasteLogin(ctx, req.URL)
	var se *session.Error
	switch {
	case err == nil:
		writeJSON(w, http.StatusOK, sess.Status())
	case errors.As(err, &se) && se.Code == "no_login":
		writeError(w, http.StatusConflict, se.Code, se.Message)
	case errors.Is(err, auth.ErrCallback):
		writeError(w, http.StatusBadRequest, "bad_callback", err.Error())
	default:
		writeSessionError(w, err)
	}
}
