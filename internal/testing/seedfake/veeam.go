package seedfake

import (
	"crypto/subtle"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// VeeamOptions shape a Veeam fake.
type VeeamOptions struct {
	// User and Password are the one account that can log in.
	User     string
	Password string
	// AccessTTL is the access token lifetime; 15 minutes (the lifetime of
	// the document's example JWT) when zero.
	AccessTTL time.Duration
	// RefreshTTL is the refresh token lifetime; 14 days (the document's
	// example JWT) when zero.
	RefreshTTL time.Duration
	// V1 serves the newer api/v1/token instead of api/oauth2/token:
	// snake_case RFC 6749 fields, expires_in, and a required x-api-version
	// header.
	V1 bool
	// APIVersion is the x-api-version the V1 endpoint requires;
	// "1.0-rev1" when empty.
	APIVersion string
	// Now is the fake's clock; time.Now when nil.
	Now func() time.Time
}

// Veeam is a fake Veeam backup appliance answering POST /api/oauth2/token
// as the Veeam Backup & Replication REST API reference describes (or, with V1, the snake_case /api/v1/token).
type Veeam struct {
	*Fake
	opts VeeamOptions
}

// VeeamTimeLayout is how the Veeam Backup & Replication REST API reference writes
// accessTokenExpiresAt and
// refreshTokenExpiresAt: UTC with seven fractional digits.
const VeeamTimeLayout = "2006-01-02T15:04:05.0000000Z"

// veeamKeyID is the "kid" of the document's example tokens.
const veeamKeyID = "46054B11517694C017B2E161425DBD35BCF7676D"

// NewVeeam starts a Veeam fake that is closed when t ends.
func NewVeeam(t testing.TB, opts VeeamOptions) *Veeam {
	t.Helper()
	if opts.AccessTTL == 0 {
		opts.AccessTTL = 15 * time.Minute
	}
	if opts.RefreshTTL == 0 {
		opts.RefreshTTL = 14 * 24 * time.Hour
	}
	if opts.APIVersion == "" {
		opts.APIVersion = "1.0-rev1"
	}
	v := &Veeam{opts: opts}
	path := "/api/oauth2/token"
	if opts.V1 {
		path = "/api/v1/token"
	}
	v.Fake = newFake(t, path, opts.Now, v.handle)
	return v
}

// IssueRefreshToken mints a refresh token for user as if the user had
// logged in elsewhere (the import path).
func (v *Veeam) IssueRefreshToken(user string) string {
	return v.lockAndIssue(func() string {
		rt, _ := v.refreshToken(user)
		return rt
	})
}

// refreshToken signs and records a refresh token shaped like the document's
// example; the caller holds v.mu.
func (v *Veeam) refreshToken(user string) (string, time.Time) {
	now := v.now()
	exp := now.Add(v.opts.RefreshTTL)
	rt := v.sign(jwt.SigningMethodRS512, map[string]any{"kid": veeamKeyID}, jwt.MapClaims{
		"unique_name":           user,
		"token_id":              newUUID(),
		"short_term_expiration": "False",
		"nbf":                   now.Unix(),
		"exp":                   exp.Unix(),
		"iat":                   now.Unix(),
		"aud":                   "refresh",
	})
	v.grants[rt] = &grant{user: user, expires: exp}
	return rt, exp
}

// veeamError is the error shape of Veeam's REST API (errorCode and
// message); Veeam's reference shows no error, so this is the product's general
// one, not something the document promises.
func veeamError(status int, code, message string) reply {
	return reply{status: status, body: map[string]string{"errorCode": code, "message": message}, reject: code + ": " + message}
}

func (v *Veeam) handle(r *http.Request, body []byte) reply {
	if v.opts.V1 {
		return v.handleV1(r, body)
	}
	// Veeam's reference authenticates no client: no Authorization header.
	if r.Header.Get("Authorization") != "" {
		return veeamError(http.StatusBadRequest, "InvalidRequest", "the token endpoint takes no Authorization header")
	}
	form, reason := parseForm(r, body)
	if reason != "" {
		return veeamError(http.StatusBadRequest, "InvalidRequest", reason)
	}
	// camelCase fields only: grant_type, refresh_token, username and
	// client_id are not the document's names and are refused.
	user, rej, ok := v.grant(form, veeamCamel)
	if !ok {
		return rej
	}
	now := v.now()
	atExp := now.Add(v.opts.AccessTTL)
	at := v.accessToken(user, now, atExp)
	rt, rtExp := v.refreshToken(user)
	served := "refresh"
	if form.Get("grantType") == "Password" {
		served = "login"
	}
	// The response in Veeam's reference: the pair and two absolute expiries, no
	// expires_in, no token_type.
	return reply{status: http.StatusOK, served: served, body: struct {
		AccessToken           string `json:"access_token"`
		RefreshToken          string `json:"refresh_token"`
		AccessTokenExpiresAt  string `json:"accessTokenExpiresAt"`
		RefreshTokenExpiresAt string `json:"refreshTokenExpiresAt"`
	}{at, rt, atExp.UTC().Format(VeeamTimeLayout), rtExp.UTC().Format(VeeamTimeLayout)}}
}

// handleV1 answers the newer api/v1/token: RFC 6749 field names, and the
// x-api-version header every request of that API must carry.
func (v *Veeam) handleV1(r *http.Request, body []byte) reply {
	switch got := r.Header.Get("x-api-version"); {
	case got == "":
		return veeamError(http.StatusBadRequest, "InvalidApiVersion", "the x-api-version header is required")
	case got != v.opts.APIVersion:
		return veeamError(http.StatusBadRequest, "InvalidApiVersion", "unsupported x-api-version "+got)
	}
	if r.Header.Get("Authorization") != "" {
		return veeamError(http.StatusBadRequest, "InvalidRequest", "the token endpoint takes no Authorization header")
	}
	form, reason := parseForm(r, body)
	if reason != "" {
		return veeamError(http.StatusBadRequest, "InvalidRequest", reason)
	}
	user, rej, ok := v.grant(form, veeamSnake)
	if !ok {
		return rej
	}
	now := v.now()
	at := v.accessToken(user, now, now.Add(v.opts.AccessTTL))
	rt, _ := v.refreshToken(user)
	served := "refresh"
	if form.Get("grant_type") == "password" {
		served = "login"
	}
	return reply{status: http.StatusOK, served: served, body: struct {
		AccessToken  string `json:"access_token"`
		TokenType    string `json:"token_type"`
		RefreshToken string `json:"refresh_token"`
		ExpiresIn    int64  `json:"expires_in"`
	}{at, "bearer", rt, int64(v.opts.AccessTTL / time.Second)}}
}

func (v *Veeam) credentialsOK(user, password string) bool {
	return subtle.ConstantTimeCompare([]byte(user), []byte(v.opts.User)) == 1 &&
		subtle.ConstantTimeCompare([]byte(password), []byte(v.opts.Password)) == 1
}

// accessToken signs an access token shaped like the document's example.
func (v *Veeam) accessToken(user string, now, exp time.Time) string {
	return v.sign(jwt.SigningMethodRS512, map[string]any{"kid": veeamKeyID}, jwt.MapClaims{
		"unique_name": user,
		"nbf":         now.Unix(),
		"exp":         exp.Unix(),
		"iat":         now.Unix(),
		"aud":         "access",
	})
}

// veeamFields names the form fields and grant values of one Veeam API
// generation: the reference's camelCase api/oauth2/token, or the snake_case
// api/v1/token.
type veeamFields struct {
	grantType, refreshToken, userName, password string
	passwordGrant, refreshGrant                 string
}

var (
	veeamCamel = veeamFields{"grantType", "refreshToken", "userName", "password", "Password", "RefreshToken"}
	veeamSnake = veeamFields{"grant_type", "refresh_token", "username", "password", "password", "refresh_token"}
)

// grant checks a password or refresh-token request in the fields f names,
// allowing no other field, and returns whose grant it is; ok is false with
// the rejection to send otherwise.
func (v *Veeam) grant(form url.Values, f veeamFields) (user string, rej reply, ok bool) {
	switch gt := form.Get(f.grantType); gt {
	case f.passwordGrant:
		if reason := onlyFields(form, []string{f.grantType, f.userName, f.password}); reason != "" {
			return "", veeamError(http.StatusBadRequest, "InvalidRequest", reason), false
		}
		if !v.credentialsOK(form.Get(f.userName), form.Get(f.password)) {
			return "", veeamError(http.StatusUnauthorized, "Unauthorized", "invalid user name or password"), false
		}
		return form.Get(f.userName), reply{}, true
	case f.refreshGrant:
		if reason := onlyFields(form, []string{f.grantType, f.refreshToken}); reason != "" {
			return "", veeamError(http.StatusBadRequest, "InvalidRequest", reason), false
		}
		g, state := v.lookup(form.Get(f.refreshToken))
		switch state {
		case rtUnknown:
			return "", veeamError(http.StatusUnauthorized, "Unauthorized", "the refresh token is invalid"), false
		case rtExpired:
			return "", veeamError(http.StatusUnauthorized, "Unauthorized", "the refresh token has expired"), false
		}
		return g.user, reply{}, true
	case "":
		return "", veeamError(http.StatusBadRequest, "InvalidRequest", "missing field "+f.grantType), false
	default:
		return "", veeamError(http.StatusBadRequest, "InvalidRequest", "unsupported "+f.grantType+" "+gt), false
	}
}
