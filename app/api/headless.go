package api

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/tokentray/tokentray/app/apiclient"
	"github.com/tokentray/tokentray/app/session"
	"github.com/tokentray/tokentray/auth"
)

// deviceLogin serves POST /v1/login/{profile}/device: it starts (or
// joins) a device login (RFC 8628) and streams its code and outcome.
func (s *Server) deviceLogin(w http.ResponseWriter, r *http.Request) {
	sess, ok := s.session(w, r)
	if !ok {
		return
	}
	streamLogin(w, func(emit func(apiclient.LoginEvent)) error {
		return sess.LoginDevice(r.Context(), func(c session.DeviceCode) { emit(apiclient.LoginEvent{DeviceCode: &c}) })
	})
}

// loginErrorCode names how a login ended.
func loginErrorCode(err error) apiclient.Code {
	var se *session.Error
	switch {
	case errors.Is(err, session.ErrLoginCancelled):
		return apiclient.CodeCancelled
	case errors.As(err, &se):
		return se.Code
	}
	return apiclient.CodeLoginFailed
}

// pasteLogin serves POST /v1/login/{profile}/callback: the pending browser
// login takes the pasted address through the callback's checks. The
// answer comes when the login has ended, or at once when the address was
// refused and the login goes on.
func (s *Server) pasteLogin(w http.ResponseWriter, r *http.Request) {
	var req apiclient.PasteRequest
	sess, ok := s.sessionAndBody(w, r, &req)
	if !ok {
		return
	}
	if strings.TrimSpace(req.URL) == "" {
		writeError(w, apiclient.CodeBadRequest, "url is empty")
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), maxWait)
	defer cancel()
	err := sess.PasteLogin(ctx, req.URL)
	var se *session.Error
	switch {
	case err == nil:
		writeJSON(w, http.StatusOK, sess.Status())
	case errors.As(err, &se) && se.Code == apiclient.CodeNoLogin:
		writeError(w, se.Code, se.Message)
	case errors.Is(err, auth.ErrCallback):
		writeError(w, apiclient.CodeBadCallback, err.Error())
	default:
		writeSessionError(w, err)
	}
}
