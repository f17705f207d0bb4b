package apiclient

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
)

// The statuses the README's error table promises to tools.
func TestCodeHTTPStatus(t *testing.T) {
	tests := []struct {
		code Code
		want int
	}{
		{CodeUnknownProfile, 404},
		{CodeLoggedOut, 401},
		{CodeLoginRequired, 401},
		{CodeRefreshFailed, 503},
		{CodeKeyring, 503},
		{CodeTimeout, 504},
		{CodeForbidden, 403},
		{CodeBadRequest, 400},
		{CodeNotFound, 404},
		{CodeNoLogin, 409},
		{CodeMinValidUnmet, 400},
		{CodeMisconfigured, 502},
		{CodeNoRefreshToken, 502},
		{CodeUnavailable, 503},
		{CodeNoClipboard, 503},
		{Code("no_such_code"), 500},
	}
	for _, tt := range tests {
		if got := tt.code.HTTPStatus(); got != tt.want {
			t.Errorf("%s: got %d, want %d", tt.code, got, tt.want)
		}
	}
}

func TestCodeOf(t *testing.T) {
	e := &Error{Status: 401, Code: CodeLoginRequired, Message: "log in"}
	tests := []struct {
		err  error
		want Code
	}{
		{nil, ""},
		{errors.New("dial unix: no such file"), ""},
		{e, CodeLoginRequired},
		{fmt.Errorf("refresh: %w", e), CodeLoginRequired},
	}
	for _, tt := range tests {
		if got := CodeOf(tt.err); got != tt.want {
			t.Errorf("CodeOf(%v): got %q, want %q", tt.err, got, tt.want)
		}
	}
	if !CodeLoggedOut.NeedsLogin() || !CodeLoginRequired.NeedsLogin() || CodeRefreshFailed.NeedsLogin() {
		t.Error("NeedsLogin: want true for logged_out and login_required only")
	}
}

// An error answer becomes an *Error with its code; one without
// tokentray's JSON becomes CodeUnknown.
func TestClientDecodesErrors(t *testing.T) {
	tests := []struct {
		body   string
		status int
		want   Code
	}{
		{`{"error":"logged_out","message":"profile \"work\" is logged out"}`, 401, CodeLoggedOut},
		{`<html>not us</html>`, 502, CodeUnknown},
	}
	for _, tt := range tests {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(tt.status)
			fmt.Fprint(w, tt.body)
		}))
		_, err := NewTCPClient(srv.Listener.Addr().String(), "").Token(t.Context(), "work", 0)
		srv.Close()
		var e *Error
		if !errors.As(err, &e) || e.Code != tt.want || e.Status != tt.status {
			t.Errorf("%s: got %v, want code %q with status %d", tt.body, err, tt.want, tt.status)
		}
	}
}
