package seedfake

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/rsa"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// OracleOptions shape an Oracle identity domain fake.
type OracleOptions struct {
	ClientID string
	// Secret, when set, lets the client authenticate with HTTP Basic.
	Secret string
	// PublicKey, when set (*rsa.PublicKey or *ecdsa.PublicKey), lets the
	// client authenticate with an RFC 7523 client assertion it verifies.
	PublicKey crypto.PublicKey
	// KeyID, when set, is the "kid" every client assertion must carry.
	KeyID string
	// Audience is what a client assertion's "aud" must contain; the token
	// endpoint when empty.
	Audience string
	// Public lets the client send client_id alone in the body.
	Public bool
	// Scope is the scope granted to imported refresh tokens.
	Scope string
	// AccessTTL is the access token lifetime; an hour when zero.
	AccessTTL time.Duration
	// RefreshTTL is the refresh token lifetime; a week when zero.
	RefreshTTL time.Duration
	// OmitRefreshToken answers refreshes without a refresh_token: the client
	// keeps the one it has (RFC 6749 §6). Otherwise the same refresh token
	// is returned.
	OmitRefreshToken bool
	// Now is the fake's clock; time.Now when nil.
	Now func() time.Time
}

// Oracle is a fake Oracle identity domain answering POST /oauth2/v1/token as
// Oracle's identity domains REST API documentation describes: the refresh token grant with an optional scope,
// and client authentication by Basic, by client assertion, or (public
// client) by client_id alone.
type Oracle struct {
	*Fake
	opts OracleOptions
	// seen holds the jti of every accepted assertion until it expires;
	// guarded by Fake.mu.
	seen map[string]time.Time
}

// maxAssertionLifetime bounds the exp of a client assertion: a long-lived
// assertion is a reusable credential, not a proof of possession.
const maxAssertionLifetime = 10 * time.Minute

// NewOracle starts an Oracle fake that is closed when t ends.
func NewOracle(t testing.TB, opts OracleOptions) *Oracle {
	t.Helper()
	if opts.AccessTTL == 0 {
		opts.AccessTTL = time.Hour
	}
	if opts.RefreshTTL == 0 {
		opts.RefreshTTL = 7 * 24 * time.Hour
	}
	o := &Oracle{opts: opts, seen: map[string]time.Time{}}
	o.Fake = newFake(t, "/oauth2/v1/token", opts.Now, o.handle)
	return o
}

// IssueRefreshToken mints a refresh token for user as if the user had
// logged in elsewhere (the import path).
func (o *Oracle) IssueRefreshToken(user string) string {
	return o.lockAndIssue(func() string {
		b := make([]byte, 48)
		rand.Read(b)
		rt := "AQAg" + base64.RawURLEncoding.EncodeToString(b)
		o.grants[rt] = &grant{user: user, scope: o.opts.Scope, client: o.opts.ClientID, expires: o.now().Add(o.opts.RefreshTTL)}
		return rt
	})
}

func (o *Oracle) handle(r *http.Request, body []byte) reply {
	// Oracle's documentation sends Content-Type
	// application/x-www-form-urlencoded;charset=UTF-8.
	form, reason := parseForm(r, body)
	if reason != "" {
		return oauthError(http.StatusBadRequest, "invalid_request", reason)
	}
	if gt := form.Get("grant_type"); gt != "refresh_token" {
		return oauthError(http.StatusBadRequest, "unsupported_grant_type", "unsupported grant type "+gt)
	}
	// The three requests of Oracle's documentation, and nothing else.
	var fields []string
	switch {
	case r.Header.Get("Authorization") != "":
		if reason := o.checkBasic(r.Header.Get("Authorization")); reason != "" {
			return oauthError(http.StatusUnauthorized, "invalid_client", reason)
		}
		fields = []string{"grant_type", "refresh_token"}
	case form.Has("client_assertion") || form.Has("client_assertion_type"):
		if reason := o.checkAssertion(form.Get("client_id"), form.Get("client_assertion_type"), form.Get("client_assertion")); reason != "" {
			return oauthError(http.StatusUnauthorized, "invalid_client", reason)
		}
		fields = []string{"grant_type", "refresh_token", "client_id", "client_assertion_type", "client_assertion"}
	case form.Has("client_id"):
		if !o.opts.Public {
			return oauthError(http.StatusUnauthorized, "invalid_client", "client authentication required for a confidential client")
		}
		if form.Get("client_id") != o.opts.ClientID {
			return oauthError(http.StatusUnauthorized, "invalid_client", "unknown client")
		}
		fields = []string{"grant_type", "refresh_token", "client_id"}
	default:
		return oauthError(http.StatusUnauthorized, "invalid_client", "client authentication required")
	}
	if reason := onlyFields(form, fields, "scope"); reason != "" {
		return oauthError(http.StatusBadRequest, "invalid_request", reason)
	}
	rt := form.Get("refresh_token")
	g, state := o.lookup(rt)
	if state != rtValid {
		return oauthError(http.StatusBadRequest, "invalid_grant", "The refresh token is invalid or has expired.")
	}
	if g.client != o.opts.ClientID {
		return oauthError(http.StatusBadRequest, "invalid_grant", "The refresh token was issued to another client.")
	}
	// RFC 6749 §6: a scope on refresh may narrow the grant, never widen it.
	scope := g.scope
	if s := form.Get("scope"); form.Has("scope") {
		granted := strings.Fields(g.scope)
		for _, x := range strings.Fields(s) {
			if !slices.Contains(granted, x) {
				return oauthError(http.StatusBadRequest, "invalid_scope", "scope "+x+" was not granted")
			}
		}
		scope = s
	}
	now := o.now()
	at := o.sign(jwt.SigningMethodRS256, map[string]any{"kid": "SIGNING_KEY"}, jwt.MapClaims{
		"sub":       g.user,
		"iss":       "https://identity.oraclecloud.com/",
		"aud":       []string{o.URL() + "/"},
		"client_id": o.opts.ClientID,
		"scope":     scope,
		"iat":       now.Unix(),
		"exp":       now.Add(o.opts.AccessTTL).Unix(),
		"jti":       newUUID(),
	})
	type answer struct {
		AccessToken  string `json:"access_token"`
		TokenType    string `json:"token_type"`
		ExpiresIn    int64  `json:"expires_in"`
		RefreshToken string `json:"refresh_token,omitempty"`
		Scope        string `json:"scope,omitempty"`
	}
	a := answer{AccessToken: at, TokenType: "Bearer", ExpiresIn: int64(o.opts.AccessTTL / time.Second), Scope: scope}
	if !o.opts.OmitRefreshToken {
		a.RefreshToken = rt
	}
	return reply{status: http.StatusOK, served: "refresh", body: a}
}

// checkBasic accepts HTTP Basic with the client's id and secret.
func (o *Oracle) checkBasic(h string) string {
	if o.opts.Secret == "" {
		return "this client has no secret"
	}
	id, secret, ok := clientFromBasic(h)
	if !ok {
		return "malformed Basic authorization"
	}
	if id != o.opts.ClientID || subtle.ConstantTimeCompare([]byte(secret), []byte(o.opts.Secret)) != 1 {
		return "bad client credentials"
	}
	return ""
}

// checkAssertion verifies an RFC 7523 client assertion: the type, the
// signature with the registered key, iss = sub = client_id (§3 items 1–2),
// aud (item 3), a short exp in the future (item 4), and a jti never seen
// before (item 7). The caller holds o.mu.
func (o *Oracle) checkAssertion(clientID, typ, assertion string) string {
	if o.opts.PublicKey == nil {
		return "this client has no registered key"
	}
	if typ != "urn:ietf:params:oauth:client-assertion-type:jwt-bearer" {
		return "client_assertion_type " + typ + " is not jwt-bearer"
	}
	if clientID == "" {
		return "client_id missing beside the assertion"
	}
	if clientID != o.opts.ClientID {
		return "unknown client"
	}
	var methods []string
	switch o.opts.PublicKey.(type) {
	case *rsa.PublicKey:
		methods = []string{"RS256"}
	case *ecdsa.PublicKey:
		methods = []string{"ES256"}
	default:
		return "the registered key is neither RSA nor EC"
	}
	aud := o.opts.Audience
	if aud == "" {
		aud = o.TokenURL()
	}
	now := o.now()
	claims := jwt.MapClaims{}
	tok, err := jwt.NewParser(
		jwt.WithValidMethods(methods),
		jwt.WithIssuer(clientID),
		jwt.WithSubject(clientID),
		jwt.WithAudience(aud),
		jwt.WithExpirationRequired(),
		jwt.WithTimeFunc(o.now),
	).ParseWithClaims(assertion, claims, func(*jwt.Token) (any, error) { return o.opts.PublicKey, nil })
	switch {
	case errors.Is(err, jwt.ErrTokenSignatureInvalid):
		return "assertion signature does not verify"
	case err != nil:
		return "assertion rejected: " + err.Error()
	}
	if o.opts.KeyID != "" && tok.Header["kid"] != o.opts.KeyID {
		return "assertion kid does not name the registered key"
	}
	exp, _ := claims.GetExpirationTime()
	if exp.Sub(now) > maxAssertionLifetime {
		return "assertion lives too long"
	}
	jti, _ := claims["jti"].(string)
	if jti == "" {
		return "assertion has no jti"
	}
	for k, until := range o.seen {
		if !now.Before(until) {
			delete(o.seen, k)
		}
	}
	if _, replay := o.seen[jti]; replay {
		return "assertion jti already used (replay)"
	}
	o.seen[jti] = exp.Time
	return ""
}
