package seedfake

import (
	"encoding/base64"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// DigiRunnerOptions shape a digiRunner fake.
type DigiRunnerOptions struct {
	ClientID       string
	ClientPassword string
	// Public makes the client a "PKCE + Public Client": it authenticates
	// with Basic Base64(clientId ":") and no password.
	Public bool
	// AccessTTL is the access token lifetime; 24 h (expires_in 86399, as
	// in the document) when zero.
	AccessTTL time.Duration
	// RefreshTTL is the refresh token lifetime; 30 days when zero.
	RefreshTTL time.Duration
	// Scope is the granted scope; "2000000006" (the document's) when empty.
	Scope string
	// Now is the fake's clock; time.Now when nil.
	Now func() time.Time
}

// DigiRunner is a fake digiRunner (TPI) gateway answering
// POST /oauth/token as digiRunner's OAuth token API documentation describes.
type DigiRunner struct {
	*Fake
	opts DigiRunnerOptions
}

// NewDigiRunner starts a digiRunner fake that is closed when t ends.
func NewDigiRunner(t testing.TB, opts DigiRunnerOptions) *DigiRunner {
	t.Helper()
	if opts.AccessTTL == 0 {
		opts.AccessTTL = 24 * time.Hour
	}
	if opts.RefreshTTL == 0 {
		opts.RefreshTTL = 30 * 24 * time.Hour
	}
	if opts.Scope == "" {
		opts.Scope = "2000000006"
	}
	d := &DigiRunner{opts: opts}
	d.Fake = newFake(t, "/oauth/token", opts.Now, d.handle)
	return d
}

// DigiRunnerAuthorization is the Authorization header value digiRunner's documentation
// prescribes: Basic Base64(clientId ":" Base64(password)), or
// Basic Base64(clientId ":") for a public client (empty password).
func DigiRunnerAuthorization(clientID, password string) string {
	enc := ""
	if password != "" {
		enc = base64.StdEncoding.EncodeToString([]byte(password))
	}
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(clientID+":"+enc))
}

// IssueRefreshToken mints a refresh token for user as if the user had
// logged in elsewhere (the import path).
func (d *DigiRunner) IssueRefreshToken(user string) string {
	return d.lockAndIssue(func() string {
		now := d.now()
		g := &grant{user: user, scope: d.opts.Scope, client: d.opts.ClientID, expires: now.Add(d.opts.RefreshTTL).Truncate(time.Second)}
		return d.refreshToken(g, newUUID())
	})
}

// refreshToken signs a refresh token JWT for g whose "ati" names the access
// token it came with, and records it; the caller holds d.mu.
func (d *DigiRunner) refreshToken(g *grant, ati string) string {
	rt := d.sign(jwt.SigningMethodRS256, nil, jwt.MapClaims{
		"node":      "executor1",
		"aud":       []string{"YWRtaW5BUEk"},
		"user_name": g.user,
		"org_id":    "100000",
		"scope":     strings.Fields(g.scope),
		"ati":       ati,
		"exp":       g.expires.Unix(),
		"jti":       newUUID(),
		"client_id": g.client,
	})
	d.grants[rt] = g
	return rt
}

// spring is the error shape in digiRunner's documentation (Spring Security OAuth's).
func spring(status int, code, desc string) reply {
	return reply{status: status, body: map[string]string{"error": code, "error_description": desc}, reject: code + ": " + desc}
}

func (d *DigiRunner) handle(r *http.Request, body []byte) reply {
	// digiRunner's documentation: "Authorization: Basic {client_secret}" where the value
	// is Base64(ClientID ":" Base64(Client Password)), or Base64(ClientID ":")
	// for a public client. Nothing else authenticates the client: a plain
	// RFC 6749 Basic header, or a client_id in the body, is refused.
	want := DigiRunnerAuthorization(d.opts.ClientID, d.opts.ClientPassword)
	if d.opts.Public {
		want = DigiRunnerAuthorization(d.opts.ClientID, "")
	}
	switch got := r.Header.Get("Authorization"); {
	case got == "":
		return spring(http.StatusUnauthorized, "invalid_client", "Full authentication is required to access this resource")
	case got != want:
		return spring(http.StatusUnauthorized, "invalid_client", "Bad client credentials")
	}
	form, reason := parseForm(r, body)
	if reason != "" {
		return spring(http.StatusBadRequest, "invalid_request", reason)
	}
	if gt := form.Get("grant_type"); gt != "refresh_token" {
		return spring(http.StatusBadRequest, "unsupported_grant_type", "Unsupported grant type: "+gt)
	}
	// The document's body is grant_type and refresh_token, nothing else.
	if reason := onlyFields(form, []string{"grant_type", "refresh_token"}); reason != "" {
		return spring(http.StatusBadRequest, "invalid_request", reason)
	}
	rt := form.Get("refresh_token")
	g, state := d.lookup(rt)
	switch state {
	case rtUnknown:
		return spring(http.StatusUnauthorized, "invalid_token", "Invalid refresh token: "+rt)
	case rtExpired:
		// digiRunner's documentation, "Example of Error Response": 401, and the token
		// quoted in the description.
		return spring(http.StatusUnauthorized, "invalid_token", "Invalid refresh token (expired): "+rt)
	}
	if g.client != d.opts.ClientID {
		return spring(http.StatusBadRequest, "invalid_grant", "Wrong client for this refresh token: "+rt)
	}

	now := d.now()
	exp := now.Add(d.opts.AccessTTL).Truncate(time.Second)
	jti := newUUID()
	at := d.sign(jwt.SigningMethodRS256, nil, jwt.MapClaims{
		"node":      "executor1",
		"aud":       []string{"YWRtaW5BUEk"},
		"user_name": g.user,
		"org_id":    "100000",
		"scope":     strings.Fields(g.scope),
		"stime":     now.UnixMilli(),
		"exp":       exp.Unix(),
		"jti":       jti,
		"client_id": g.client,
	})
	// The refresh token comes back re-signed for the new access token, with
	// its expiry unchanged; the one presented stays valid until then.
	newRT := d.refreshToken(g, jti)
	// The fields of "Example of Successful Response"; a map marshals in
	// key order, which is the document's order.
	return reply{status: http.StatusOK, served: "refresh", body: map[string]any{
		"access_token":  at,
		"expires_in":    int64(exp.Sub(now) / time.Second),
		"jti":           jti,
		"node":          "executor1",
		"org_id":        "100000",
		"refresh_token": newRT,
		"scope":         g.scope,
		"stime":         now.UnixMilli(),
		"token_type":    "bearer",
	}}
}
