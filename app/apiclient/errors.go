package apiclient

import (
	"errors"
	"fmt"
	"net/http"
)

// Code names why the agent refused a request: the "error" field of every
// error answer, and of a login stream's last line. It is the one
// vocabulary of failure between the agent and its clients; decide on it,
// never on the message, which is for people.
type Code string

// The codes the agent answers with.
const (
	CodeUnknownProfile Code = "unknown_profile" // no such profile in the config
	CodeLoggedOut      Code = "logged_out"      // no grant: run `tokentray login PROFILE`
	CodeLoginRequired  Code = "login_required"  // the provider refused the grant
	CodeRefreshFailed  Code = "refresh_failed"  // the provider is failing; retried with backoff
	CodeKeyring        Code = "keyring"         // the OS keyring is failing
	CodeUnavailable    Code = "unavailable"     // any other temporary failure
	CodeTimeout        Code = "timeout"         // a refresh under way took longer than the request allowed
	CodeNoRefreshToken Code = "no_refresh_token"
	CodeMisconfigured  Code = "misconfigured" // the provider refused the client's own request (invalid_client, …)
	CodeForbidden      Code = "forbidden"     // a browser, or another user
	CodeNotFound       Code = "not_found"     // no such route
	CodeBadRequest     Code = "bad_request"
	CodeBadConfig      Code = "bad_config"      // a reload found a broken config
	CodeBadCallback    Code = "bad_callback"    // a pasted address this login does not take
	CodeNotSupported   Code = "not_supported"   // this agent or profile cannot do that
	CodeNoLogin        Code = "no_login"        // no pending login to hand a pasted address to
	CodeLoginPending   Code = "login_pending"   // another kind of login is under way
	CodeMinValidUnmet  Code = "min_valid_unmet" // the provider's tokens never stay valid that long
	CodeImportRefused  Code = "import_refused"  // the provider refused an imported refresh token; the login is unchanged
	CodeNoClipboard    Code = "no_clipboard"    // a headless agent has no desktop clipboard
	CodeClipboard      Code = "clipboard"       // the desktop's clipboard refused the copy
	// Only in a login stream, which has answered 200 before the outcome.
	CodeCancelled   Code = "cancelled"
	CodeLoginFailed Code = "login_failed"
	// CodeUnknown is what the client makes of an error answer without
	// tokentray's JSON (another program on the port).
	CodeUnknown Code = "unknown"
)

// httpStatus is each code's HTTP status: the one table of it.
var httpStatus = map[Code]int{
	CodeUnknownProfile: http.StatusNotFound,
	CodeNotFound:       http.StatusNotFound,
	CodeLoggedOut:      http.StatusUnauthorized,
	CodeLoginRequired:  http.StatusUnauthorized,
	CodeRefreshFailed:  http.StatusServiceUnavailable,
	CodeKeyring:        http.StatusServiceUnavailable,
	CodeUnavailable:    http.StatusServiceUnavailable,
	CodeTimeout:        http.StatusGatewayTimeout,
	CodeNoRefreshToken: http.StatusBadGateway,
	CodeMisconfigured:  http.StatusBadGateway,
	CodeForbidden:      http.StatusForbidden,
	CodeBadRequest:     http.StatusBadRequest,
	CodeBadConfig:      http.StatusBadRequest,
	CodeBadCallback:    http.StatusBadRequest,
	CodeNotSupported:   http.StatusNotImplemented,
	CodeNoLogin:        http.StatusConflict,
	CodeLoginPending:   http.StatusConflict,
	CodeMinValidUnmet:  http.StatusBadRequest,
	CodeImportRefused:  http.StatusBadRequest,
	CodeNoClipboard:    http.StatusServiceUnavailable,
	CodeClipboard:      http.StatusServiceUnavailable,
	CodeCancelled:      http.StatusConflict,
	CodeLoginFailed:    http.StatusBadGateway,
}

// HTTPStatus is the status the agent answers c with; 500 for a code it
// does not know.
func (c Code) HTTPStatus() int {
	if s, ok := httpStatus[c]; ok {
		return s
	}
	return http.StatusInternalServerError
}

// NeedsLogin reports whether c means that only a new login helps.
func (c Code) NeedsLogin() bool { return c == CodeLoggedOut || c == CodeLoginRequired }

// Error is an error answer of the agent.
type Error struct {
	Status  int // the HTTP status (200 for a login stream's outcome)
	Code    Code
	Message string
}

func (e *Error) Error() string { return e.Message }

// CodeOf returns the Code of the *Error in err's chain, "" when there is none
// (the agent was not reached, or err is nil).
func CodeOf(err error) Code {
	if e := (*Error)(nil); errors.As(err, &e) {
		return e.Code
	}
	return ""
}

// ErrorResponse is the one error shape of the API:
// {"error": code, "message": text}.
type ErrorResponse struct {
	Error   Code   `json:"error"`
	Message string `json:"message"`
}

// ErrNoAgent means no agent answers on the socket.
var ErrNoAgent = errors.New("no tokentray agent is running")

// ForeignAgentError says that the socket is served by another user: a
// socket in a directory others can write to (a --runtime-dir, or /tmp when
// XDG_RUNTIME_DIR is unset, made before the agent first ran), and someone
// else's program behind it. The client sends it nothing.
type ForeignAgentError struct {
	Socket string
	UID    int
}

func (e *ForeignAgentError) Error() string {
	return fmt.Sprintf("%s is served by another user (uid %d), not by your agent: tokentray sends it nothing. Check the runtime directory (--runtime-dir, TOKENTRAY_RUNTIME_DIR, XDG_RUNTIME_DIR) and who made it", e.Socket, e.UID)
}
