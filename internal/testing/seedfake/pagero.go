package seedfake

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// PageroOptions shape a Pagero fake.
type PageroOptions struct {
	ClientID string
	Secret   string
	// AccessTTL is the access token lifetime; 600 s (the document's
	// expires_in) when zero.
	AccessTTL time.Duration
	// RefreshTTL is the rolling refresh token lifetime; three years (the
	// document's) when zero. Every refresh starts it again.
	RefreshTTL time.Duration
	// Scope is the granted scope; "" as in the document's example.
	Scope string
	// Now is the fake's clock; time.Now when nil.
	Now func() time.Time
}

// Pagero is a fake Pagero SSO answering POST /oauth/v2/oauth-token as
// the Pagero Online API authentication guide describes: single-use refresh tokens, each refresh returning
// a new one with a fresh three-year lifetime.
type Pagero struct {
	*Fake
	opts PageroOptions
}

// NewPagero starts a Pagero fake that is closed when t ends.
func NewPagero(t testing.TB, opts PageroOptions) *Pagero {
	t.Helper()
	if opts.AccessTTL == 0 {
		opts.AccessTTL = 600 * time.Second
	}
	p := &Pagero{opts: opts}
	p.Fake = newFake(t, "/oauth/v2/oauth-token", opts.Now, p.handle)
	return p
}

// IssueRefreshToken mints a refresh token for user as if the user had
// logged in elsewhere (the import path).
func (p *Pagero) IssueRefreshToken(user string) string {
	return p.lockAndIssue(func() string { return p.refreshToken(user) })
}

// refreshToken records a new opaque refresh token shaped like the
// document's "_1XBPWQQ_e61b091b-9139-4268-a7c7-765d2d418d52"; the caller
// holds p.mu.
func (p *Pagero) refreshToken(user string) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	b := make([]byte, 7)
	rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	rt := "_" + string(b) + "_" + newUUID()
	now := p.now()
	exp := now.AddDate(3, 0, 0)
	if p.opts.RefreshTTL != 0 {
		exp = now.Add(p.opts.RefreshTTL)
	}
	p.grants[rt] = &grant{user: user, scope: p.opts.Scope, client: p.opts.ClientID, expires: exp}
	return rt
}

// oauthError is the RFC 6749 §5.2 error shape.
func oauthError(status int, code, desc string) reply {
	return reply{status: status, body: map[string]string{"error": code, "error_description": desc}, reject: code + ": " + desc}
}

// clientFromBasic decodes an RFC 6749 §2.3.1 Basic header: both parts are
// form-urlencoded before the Base64 encoding.
func clientFromBasic(h string) (id, secret string, ok bool) {
	rest, found := strings.CutPrefix(h, "Basic ")
	if !found {
		return "", "", false
	}
	raw, err := base64.StdEncoding.DecodeString(rest)
	if err != nil {
		return "", "", false
	}
	u, s, found := strings.Cut(string(raw), ":")
	if !found {
		return "", "", false
	}
	if id, err = url.QueryUnescape(u); err != nil {
		return "", "", false
	}
	if secret, err = url.QueryUnescape(s); err != nil {
		return "", "", false
	}
	return id, secret, true
}

func (p *Pagero) handle(r *http.Request, body []byte) reply {
	form, reason := parseForm(r, body)
	if reason != "" {
		return oauthError(http.StatusBadRequest, "invalid_request", reason)
	}
	// Pagero's guide: client_id and client_secret in the body, or HTTP Basic
	// "if not client_id and client_secret provided in the body"; never both
	// (RFC 6749 §2.3: one authentication method per request).
	var id, secret string
	switch h := r.Header.Get("Authorization"); {
	case h != "" && (form.Has("client_id") || form.Has("client_secret")):
		return oauthError(http.StatusBadRequest, "invalid_request", "client credentials both in the Authorization header and in the body")
	case h != "":
		var ok bool
		if id, secret, ok = clientFromBasic(h); !ok {
			return oauthError(http.StatusUnauthorized, "invalid_client", "malformed Basic authorization")
		}
	default:
		id, secret = form.Get("client_id"), form.Get("client_secret")
	}
	if id == "" || secret == "" {
		return oauthError(http.StatusUnauthorized, "invalid_client", "client authentication required")
	}
	if id != p.opts.ClientID || subtle.ConstantTimeCompare([]byte(secret), []byte(p.opts.Secret)) != 1 {
		return oauthError(http.StatusUnauthorized, "invalid_client", "bad client credentials")
	}
	if gt := form.Get("grant_type"); gt != "refresh_token" {
		return oauthError(http.StatusBadRequest, "unsupported_grant_type", "unsupported grant type "+gt)
	}
	if reason := onlyFields(form, []string{"grant_type", "refresh_token"}, "client_id", "client_secret"); reason != "" {
		return oauthError(http.StatusBadRequest, "invalid_request", reason)
	}
	g, state := p.lookup(form.Get("refresh_token"))
	switch state {
	case rtUnknown, rtExpired:
		return oauthError(http.StatusBadRequest, "invalid_grant", "The refresh token is invalid or expired")
	case rtUsed:
		// Pagero's guide: "a refresh token can only be used once".
		return oauthError(http.StatusBadRequest, "invalid_grant", "The refresh token has already been used")
	}
	if g.client != id {
		return oauthError(http.StatusBadRequest, "invalid_grant", "The refresh token was issued to another client")
	}
	g.used = true
	now := p.now()
	at := p.sign(jwt.SigningMethodRS256, map[string]any{"kid": "1553782041"}, jwt.MapClaims{
		"jti":     newUUID(),
		"iss":     p.URL() + "/oauth/v2/oauth-anonymous",
		"sub":     g.user,
		"aud":     id,
		"iat":     now.Unix(),
		"exp":     now.Add(p.opts.AccessTTL).Unix(),
		"scope":   g.scope,
		"purpose": "access_token",
	})
	// The Pagero guide's example response, in its field order.
	return reply{status: http.StatusOK, served: "refresh", body: struct {
		TokenType    string `json:"token_type"`
		AccessToken  string `json:"access_token"`
		RefreshToken string `json:"refresh_token"`
		Scope        string `json:"scope"`
		Claims       string `json:"claims"`
		ExpiresIn    int64  `json:"expires_in"`
	}{"bearer", at, p.refreshToken(g.user), g.scope, "publicid", int64(p.opts.AccessTTL / time.Second)}}
}
