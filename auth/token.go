// Package auth speaks OAuth 2.0 and OpenID Connect to a provider: discovery,
// the loopback PKCE login (RFC 8252), token requests and the provider dialects.
// It holds no state between calls and touches no keyring, file or UI.
package auth

import (
	"time"
)

// Token is what a token endpoint returned, normalised across dialects.
type Token struct {
	AccessToken  string
	TokenType    string
	RefreshToken string // empty when the provider did not issue a new one (RFC 6749 §6)
	IDToken      string
	Scope        string
	// Expiry is when the access token stops working; zero when the provider
	// said nothing and the token is not a JWT with "exp".
	Expiry time.Time
	// ExpirySource says where Expiry came from: "expires_in", "expires_at"
	// (a dialect's absolute timestamp), "jwt" or "" (unknown).
	ExpirySource string
	// Issued is when the request that brought the token was sent, by the
	// client's clock: lifetimes (expires_in) count from here, since the
	// provider may have issued the token at any moment after it.
	Issued time.Time
	// ClockSkew is the provider's clock minus ours, from its Date header,
	// when they differ by more than the header's one-second grain; zero
	// when they agree or the provider sent no Date.
	ClockSkew time.Duration
	// RefreshExpiry is when the refresh token stops working, where the
	// provider tells (Veeam's refreshTokenExpiresAt, a JWT refresh token's exp).
	RefreshExpiry time.Time
	// Extra keeps provider-specific success fields (digiRunner's jti, node,
	// org_id, stime; Pagero's claims) for display. Never tokens.
	Extra map[string]any
}

// Valid reports whether the access token is present and still valid at now
// with at least margin to spare. A token of unknown expiry is valid.
func (t *Token) Valid(now time.Time, margin time.Duration) bool {
	if t == nil || t.AccessToken == "" {
		return false
	}
	return t.Expiry.IsZero() || now.Add(margin).Before(t.Expiry)
}

// mergeFrom completes a refresh response from the token it refreshed: one
// that carries no refresh token keeps the previous one (RFC 6749 §6), one
// that carries no scope was granted the previous scope (RFC 6749 §5.1:
// scope is omitted when it is unchanged).
func (t *Token) mergeFrom(prev *Token) {
	if t.RefreshToken == "" {
		t.RefreshToken = prev.RefreshToken
	}
	if t.Scope == "" {
		t.Scope = prev.Scope
	}
}
