package auth

import (
	"fmt"
	"strings"
)

// The enumerated settings of a profile (how the client authenticates, the
// shape of the token endpoint's messages, how the first login happens) are
// defined here and nowhere else: config validation and the settings
// window take their allowed values, and the window its descriptions, from
// ClientAuths, Dialects and LoginMethods.

// Choice is one allowed value of an enumerated setting, with a line that
// says what it means (for a picker).
type Choice[T ~string] struct {
	Value   T
	Summary string
}

// ClientAuth names how the client authenticates at the token endpoint.
type ClientAuth string

// The client authentication methods (RFC 6749 §2.3, OIDC Core §9, RFC 7523).
const (
	AuthNone          ClientAuth = "none"                // public client: client_id in the body
	AuthSecretBasic   ClientAuth = "client_secret_basic" // RFC 6749 §2.3.1
	AuthSecretPost    ClientAuth = "client_secret_post"  // RFC 6749 §2.3.1, body
	AuthDigiRunner    ClientAuth = "digirunner"          // Basic Base64(id ":" Base64(secret))
	AuthPrivateKeyJWT ClientAuth = "private_key_jwt"     // RFC 7523 §2.2
)

// ClientAuths lists the client authentication methods, the default first.
func ClientAuths() []Choice[ClientAuth] {
	return []Choice[ClientAuth]{
		{AuthNone, "a public client with PKCE"},
		{AuthSecretBasic, "the secret in HTTP Basic"},
		{AuthSecretPost, "the secret in the form body"},
		{AuthPrivateKeyJWT, "a signed JWT (key file)"},
		{AuthDigiRunner, "digiRunner's Basic encoding"},
	}
}

// UsesSecret reports whether the method sends a client secret (kept in the
// keyring, never in the config file). digiRunner's public clients send an
// empty one.
func (a ClientAuth) UsesSecret() bool {
	switch a {
	case AuthSecretBasic, AuthSecretPost, AuthDigiRunner:
		return true
	}
	return false
}

// Dialect names the shape of a provider's token requests and responses.
type Dialect string

// The dialects.
const (
	// DialectOAuth2 is RFC 6749: grant_type=refresh_token, snake_case
	// responses with expires_in.
	DialectOAuth2 Dialect = "oauth2"
	// DialectVeeam is the api/oauth2/token endpoint of the Veeam Backup &
	// Replication REST API: grantType=RefreshToken, camelCase fields, no
	// client, and absolute accessTokenExpiresAt/refreshTokenExpiresAt
	// instead of expires_in. The newer api/v1/token of the same product is
	// DialectOAuth2 with an x-api-version header. See docs/providers.md.
	DialectVeeam Dialect = "veeam"
)

// Dialects lists the dialects, the default first.
func Dialects() []Choice[Dialect] {
	return []Choice[Dialect]{
		{DialectOAuth2, "RFC 6749 fields"},
		{DialectVeeam, "Veeam's camelCase fields"},
	}
}

// ParseDialect validates a dialect name from configuration; empty is the
// default.
func ParseDialect(s string) (Dialect, error) {
	if s == "" {
		return DialectOAuth2, nil
	}
	if !Known(Dialects(), s) {
		return "", fmt.Errorf("unknown dialect %q (want %s)", s, Names(Dialects()))
	}
	return Dialect(s), nil
}

// LoginMethod names how a profile gets its first refresh token.
type LoginMethod string

// The login methods a profile can use.
const (
	// LoginBrowser is the authorization code grant with PKCE through the
	// loopback redirect (RFC 8252).
	LoginBrowser LoginMethod = "browser"
	// LoginPassword asks for a user name and password once (RFC 6749 §4.3,
	// or Veeam's grantType=Password).
	LoginPassword LoginMethod = "password"
	// LoginImport takes a refresh token the user obtained elsewhere.
	LoginImport LoginMethod = "import"
	// LoginDevice is the device authorization grant (RFC 8628).
	LoginDevice LoginMethod = "device"
)

// LoginMethods lists the login methods, the default first.
func LoginMethods() []Choice[LoginMethod] {
	return []Choice[LoginMethod]{
		{LoginBrowser, "sign in on the provider's page"},
		{LoginPassword, "user name and password, used once"},
		{LoginImport, "paste a refresh token"},
		{LoginDevice, "enter a code on another device"},
	}
}

// Known reports whether v is one of the values of cs.
func Known[T ~string](cs []Choice[T], v string) bool {
	for _, c := range cs {
		if string(c.Value) == v {
			return true
		}
	}
	return false
}

// Names are the values of cs for a message: "a, b or c".
func Names[T ~string](cs []Choice[T]) string {
	names := make([]string, len(cs))
	for i, c := range cs {
		names[i] = string(c.Value)
	}
	if len(names) < 2 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}
