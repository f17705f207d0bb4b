package apiclient

import "time"

// MaxWait bounds how long the agent lets a request wait for a refresh
// under way (a token read, a refresh, a logout).
const MaxWait = 30 * time.Second

// AgentInfo describes the running agent in /v1/status.
type AgentInfo struct {
	PID     int    `json:"pid"`
	Version string `json:"version"`
	Socket  string `json:"socket"`
	Listen  string `json:"listen,omitempty"`
	// ListenError says why the token API's TCP port is not served (another
	// program holds it: who, and that the agent keeps trying); the socket
	// serves everything meanwhile.
	ListenError string `json:"listen_error,omitempty"`
	Config      string `json:"config"`
	Store       string `json:"store"`
}

// TokenResponse is the body of GET /v1/token/{profile}.
type TokenResponse struct {
	AccessToken string    `json:"access_token"`
	TokenType   string    `json:"token_type"`
	ExpiresAt   time.Time `json:"expires_at,omitzero"`
	ExpiresIn   int64     `json:"expires_in,omitempty"`
	Scope       string    `json:"scope,omitempty"`
}

// StatusResponse is the body of GET /v1/status.
type StatusResponse struct {
	Agent    AgentInfo `json:"agent"`
	Profiles []Status  `json:"profiles"`
}

// DetailsResponse is the body of GET /v1/details/{profile} (socket only):
// what the token details window shows. It holds the decoded header and
// claims of a JWT access token but neither the token itself nor its
// signature, and never the refresh token.
type DetailsResponse struct {
	Status Status `json:"status"`
	// Format is "jwt", "opaque" or "none" (no access token held).
	Format    string         `json:"format"`
	TokenType string         `json:"token_type,omitempty"`
	Header    map[string]any `json:"header,omitempty"`
	Claims    map[string]any `json:"claims,omitempty"`
	Scope     string         `json:"scope,omitempty"`
	// IssuedAt is the JWT's "iat", else when the agent received the token.
	IssuedAt   time.Time `json:"issued_at,omitzero"`
	ReceivedAt time.Time `json:"received_at,omitzero"`
	ExpiresAt  time.Time `json:"expires_at,omitzero"`
	// Length is the access token's length in characters.
	Length int `json:"length,omitempty"`
}

// LoginRequest is the body of POST /v1/login/{profile}.
type LoginRequest struct {
	NoBrowser bool `json:"no_browser"`
}

// LoginEvent is one line of the newline-delimited JSON a login streams:
// first what to show (the URL of a browser login, the code of a device
// login), then the outcome.
type LoginEvent struct {
	URL string `json:"url,omitempty"`
	*DeviceCode
	Done    bool   `json:"done,omitempty"`
	Error   Code   `json:"error,omitempty"`
	Message string `json:"message,omitempty"`
}

// ImportRequest is the body of POST /v1/import/{profile}.
type ImportRequest struct {
	RefreshToken string `json:"refresh_token"`
}

// PasswordRequest is the body of POST /v1/password/{profile}. The password
// is used once and forgotten.
type PasswordRequest struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

// PasteRequest is the body of POST /v1/login/{profile}/callback: the
// address a browser on another machine ended on.
type PasteRequest struct {
	URL string `json:"url"`
}

// SecretRequest is the body of POST /v1/secret/{profile}.
type SecretRequest struct {
	Secret string `json:"secret"`
}

// PrivateKeyRequest is the body of POST /v1/private-key/{profile}.
type PrivateKeyRequest struct {
	PrivateKey string `json:"private_key"`
}

// SecretResponse answers the secret routes. It never holds the secret.
type SecretResponse struct {
	Stored  bool   `json:"stored,omitempty"`
	Deleted bool   `json:"deleted,omitempty"`
	Note    string `json:"note,omitempty"`
	// Resumed says a profile whose login was refused for the client's
	// credentials got going again with the new ones; Status tells how.
	Resumed bool    `json:"resumed,omitempty"`
	Status  *Status `json:"status,omitempty"`
}

// IdleTimeout is how long a keep-alive connection may sit idle on the
// agent: long enough for a tool that reads every few seconds, short enough
// that idle connections do not pile up. Clients drop theirs sooner, so
// that they never reuse one the agent is closing.
const IdleTimeout = 30 * time.Second

// ClipboardRequest is the body of POST /v1/clipboard/{profile}.
type ClipboardRequest struct {
	// What to copy: "access_token" (the default).
	What string `json:"what"`
}

// ClipboardResponse answers POST /v1/clipboard/{profile}; it never holds
// the token.
type ClipboardResponse struct {
	Copied bool `json:"copied"`
	// ClearAfter is how many seconds the token stays on the clipboard; 0
	// when it is not cleared.
	ClearAfter int64 `json:"clear_after,omitempty"`
}
