package auth

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"time"
)

// maxLifetime bounds a believable access token lifetime; an expires_in or
// expiry timestamp beyond it is treated as unknown rather than trusted.
const maxLifetime = 366 * 24 * time.Hour

// maxRefreshLifetime bounds a believable refresh token lifetime (Pagero's
// rolls over three years: Pagero Online API authentication guide).
const maxRefreshLifetime = 10 * 366 * 24 * time.Hour

// refreshForm is the refresh request body, in the document's field order.
func (d Dialect) refreshForm(rt string) form {
	if d == DialectVeeam {
		// Veeam Backup & Replication REST API reference: grantType=RefreshToken&refreshToken=…
		return form{{"grantType", "RefreshToken"}, {"refreshToken", rt}}
	}
	// RFC 6749 §6.
	return form{{"grant_type", "refresh_token"}, {"refresh_token", rt}}
}

// passwordForm is the password grant body, in the document's field order.
func (d Dialect) passwordForm(user, password string) form {
	if d == DialectVeeam {
		// Veeam Backup & Replication REST API reference: grantType=Password&userName=…&password=…
		return form{{"grantType", "Password"}, {"userName", user}, {"password", password}}
	}
	// RFC 6749 §4.3.2.
	return form{{"grant_type", "password"}, {"username", user}, {"password", password}}
}

// standardFields are response members Token has a field for; anything else
// that is not a token goes to Token.Extra.
var standardFields = map[string]bool{
	"access_token": true, "token_type": true, "refresh_token": true, "id_token": true,
	"scope": true, "expires_in": true, "refresh_expires_in": true, "refresh_token_expires_in": true,
	"accessTokenExpiresAt": true, "refreshTokenExpiresAt": true,
}

// parse reads a 200 response to a request sent at now (our clock) from a
// provider whose clock is *skew ahead of ours (nil: not known). A 200 that
// carries "error" or lacks an access token is an error, not a token.
func (d Dialect) parse(body []byte, now time.Time, skew *time.Duration, secrets []string) (*Token, error) {
	var raw map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&raw); err != nil {
		return nil, &Error{Kind: Transient, Status: 200,
			Description: "the token endpoint answered with something that is not JSON: " + excerpt(body, secrets)}
	}
	str := func(k string) string {
		var s string
		if v, ok := raw[k]; ok && json.Unmarshal(v, &s) == nil {
			return s
		}
		return ""
	}
	if code := str("error"); code != "" {
		desc := Redact(str("error_description"), 200, secrets...)
		return nil, &Error{Kind: classify(200, code, desc), Status: 200, Code: Redact(code, 60, secrets...), Description: desc}
	}
	t := &Token{
		AccessToken:  str("access_token"),
		TokenType:    str("token_type"),
		RefreshToken: str("refresh_token"),
		IDToken:      str("id_token"),
		Scope:        str("scope"),
	}
	if t.AccessToken == "" {
		return nil, &Error{Kind: Transient, Status: 200, Description: "the token endpoint answered 200 without an access_token"}
	}
	if t.TokenType == "" {
		t.TokenType = "Bearer"
	}
	// RFC 6749 §5.1 expires_in, counted from the sending; else Veeam's
	// absolute accessTokenExpiresAt (Veeam Backup & Replication REST API
	// reference). A value that is not positive or not believable counts
	// as not given. Then the access token's own exp, when it is a JWT,
	// wins if it is earlier: the resource server judges by exp, whatever
	// expires_in said.
	if secs, ok := seconds(raw["expires_in"]); ok && secs > 0 && secs <= int64(maxLifetime/time.Second) {
		t.Expiry, t.ExpirySource = now.Add(time.Duration(secs)*time.Second), "expires_in"
	} else if at, ok := timestamp(raw["accessTokenExpiresAt"]); ok && at.Before(now.Add(maxLifetime)) {
		if skew != nil {
			at = at.Add(-*skew)
		}
		t.Expiry, t.ExpirySource = at, "expires_at"
	}
	if exp, ok := jwtAccessExpiry(t.AccessToken, now, skew); ok && exp.Before(now.Add(maxLifetime)) &&
		(t.Expiry.IsZero() || exp.Before(t.Expiry)) {
		// An exp in the past is kept: the session stretches a token dead on
		// arrival a little rather than loop; one beyond any believable
		// lifetime is not believed.
		t.Expiry, t.ExpirySource = exp, "jwt"
	}
	// Refresh token lifetime: Keycloak's refresh_expires_in and the
	// refresh_token_expires_in of others, Veeam's refreshTokenExpiresAt, or
	// the exp of a refresh token that is a JWT (digiRunner's OAuth token API documentation).
	for _, k := range []string{"refresh_expires_in", "refresh_token_expires_in"} {
		if secs, ok := seconds(raw[k]); ok && secs > 0 && secs <= int64(maxRefreshLifetime/time.Second) {
			t.RefreshExpiry = now.Add(time.Duration(secs) * time.Second)
		}
	}
	if at, ok := timestamp(raw["refreshTokenExpiresAt"]); ok && at.Before(now.Add(maxRefreshLifetime)) {
		t.RefreshExpiry = at
	} else if exp, ok := JWTExpiry(t.RefreshToken); ok && t.RefreshExpiry.IsZero() {
		t.RefreshExpiry = exp
	}
	for k, v := range raw {
		if standardFields[k] || strings.Contains(strings.ToLower(k), "token") || k == "error" || k == "error_description" {
			continue
		}
		var x any
		d := json.NewDecoder(bytes.NewReader(v))
		d.UseNumber()
		if d.Decode(&x) == nil {
			if t.Extra == nil {
				t.Extra = map[string]any{}
			}
			t.Extra[k] = x
		}
	}
	return t, nil
}

// seconds reads a JSON number or numeric string (some providers quote
// expires_in) as whole seconds.
func seconds(v json.RawMessage) (int64, bool) {
	if len(v) == 0 {
		return 0, false
	}
	s := strings.Trim(string(v), `"`)
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f != f || f > 1e12 || f < -1e12 {
		return 0, false
	}
	return int64(f), true
}

// timestamp reads an RFC 3339 / ISO-8601 string such as Veeam's
// "2022-11-01T13:43:43.7826152Z".
func timestamp(v json.RawMessage) (time.Time, bool) {
	var s string
	if len(v) == 0 || json.Unmarshal(v, &s) != nil || s == "" {
		return time.Time{}, false
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, false
	}
	return t, true
}
