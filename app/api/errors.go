package api

import (
	"context"
	"errors"

	"github.com/tokentray/tokentray/app/apiclient"
	"github.com/tokentray/tokentray/app/session"
	"github.com/tokentray/tokentray/auth"
)

// WireError is err as the API answers it: a session's own code, else what
// auth made of the provider's answer (login required, misconfigured), else
// a timeout or a temporary failure. The HTTP status comes with the code
// (apiclient.Code.HTTPStatus). The tray, which runs in the agent, gets its
// errors in this shape too, so it decides on the same codes as every
// client of the socket.
func WireError(err error) *apiclient.Error {
	if e := (*apiclient.Error)(nil); errors.As(err, &e) {
		return e // already in these words (Local's)
	}
	code := apiclient.CodeUnavailable
	var se *session.Error
	switch {
	case errors.As(err, &se):
		code = se.Code
	case auth.KindOf(err) == auth.LoginRequired:
		code = apiclient.CodeLoginRequired
	case auth.KindOf(err) == auth.Misconfigured:
		code = apiclient.CodeMisconfigured
	case errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled):
		code = apiclient.CodeTimeout
	}
	msg := err.Error()
	if se != nil {
		msg = se.Message
	}
	return &apiclient.Error{Status: code.HTTPStatus(), Code: code, Message: msg}
}
