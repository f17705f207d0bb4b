package auth

import (
	"bytes"
	"errors"
	"fmt"
	"html"
	"regexp"
	"strings"
	"sync"
)

// Kind classifies a failed token request by what the caller should do next.
type Kind int

const (
	// Transient failures (network, timeout, 5xx, 429, garbage in a 200) are
	// worth retrying with backoff while the current access token still serves.
	Transient Kind = iota
	// LoginRequired means the grant is gone (invalid_grant and provider
	// equivalents): retrying cannot help, a person has to log in again.
	LoginRequired
	// Misconfigured means the request itself is wrong (invalid_client,
	// unsupported_grant_type, …): retrying cannot help, the profile must change.
	Misconfigured
)

func (k Kind) String() string {
	switch k {
	case LoginRequired:
		return "login required"
	case Misconfigured:
		return "misconfigured"
	default:
		return "transient"
	}
}

// Error is a failed token request. Its text never contains a token: the
// provider's description passes through Redact before it is kept.
type Error struct {
	Kind        Kind
	Status      int    // HTTP status; 0 when no response arrived
	Code        string // RFC 6749 §5.2 "error", or a dialect's equivalent
	Description string // redacted, shortened provider message
	Err         error  // the underlying transport error, if any
	// Sent says the request went out whole but no full answer came back:
	// the provider may have acted on it (rotated the refresh token).
	Sent bool
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("token endpoint")
	if e.Status != 0 {
		fmt.Fprintf(&b, ": HTTP %d", e.Status)
	}
	if e.Code != "" {
		fmt.Fprintf(&b, ": %s", e.Code)
	}
	if e.Description != "" {
		fmt.Fprintf(&b, ": %s", e.Description)
	}
	if e.Err != nil {
		fmt.Fprintf(&b, ": %v", e.Err)
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// KindOf returns the Kind of err: that of an *Error in its chain, else
// Transient (a context deadline or a dial failure is worth another try).
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return Transient
}

// classify decides what an error response means. Only an error that
// says the grant is gone requires a login: RFC 6749 §5.2 invalid_grant, and
// the provider equivalents — digiRunner answers an expired refresh token
// with 401 invalid_token, Dex a reused one with 400 invalid_request "already
// been claimed", Veeam's REST API a dead one with 401 errorCode
// "Unauthorized". Anything else, a status without an OAuth error body (a
// proxy's or firewall's HTML page) included, is worth another try.
func classify(status int, code, desc string) Kind {
	switch {
	case status == 429 || status == 408 || status >= 500:
		return Transient
	case code == "invalid_grant", code == "invalid_token":
		return LoginRequired
	case code == "Unauthorized" && status == 401:
		return LoginRequired
	case code == "invalid_request" && (strings.Contains(desc, "already been claimed") || strings.Contains(strings.ToLower(desc), "refresh token is invalid")):
		return LoginRequired
	case code == "invalid_client", code == "unauthorized_client", code == "unsupported_grant_type", code == "invalid_scope", code == "invalid_request":
		return Misconfigured
	default:
		return Transient
	}
}

var (
	// jwtLike matches compact JWS/JWE serialisations, possibly cut short
	// with "..." as in provider documentation.
	jwtLike = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`eyJ[A-Za-z0-9_\-]*\.[A-Za-z0-9_\-.]*`) })
	// longOpaque matches long runs that look like opaque tokens or keys.
	longOpaque = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`[A-Za-z0-9_\-+/=]{32,}`) })
	tags       = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`<[^>]*>`) })
	spaces     = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`\s+`) })
	// invisible matches the parts of an HTML page a browser does not show.
	invisible = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`(?is)<!--.*?-->|<(script|style)\b.*?</(script|style)\s*>`)
	})
	htmlStart = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`(?i)^\s*(<!doctype html|<html|<head|<body|<\?xml|<h1|<p>|<title)`)
	})
)

// excerpt is the short, token-free text of a body that is not the JSON a
// token endpoint should send: an HTML error page of a proxy or a login
// portal is named as such and shown without its markup, styles or scripts.
func excerpt(body []byte, secrets []string) string {
	s := string(bytes.ToValidUTF8(body, nil))
	if htmlStart().MatchString(s) {
		s = invisible().ReplaceAllString(s, " ")
		s = html.UnescapeString(tags().ReplaceAllString(s, " "))
		if s = Redact(s, 120, secrets...); s == "" {
			return "an HTML page"
		}
		return "an HTML page: " + s
	}
	return Redact(s, 120, secrets...)
}

// Redact removes the given secrets and anything that looks like a token from
// s, strips HTML tags and shortens the result to at most max runes. It is
// the only way provider text reaches an error or a log.
func Redact(s string, max int, secrets ...string) string {
	for _, sec := range secrets {
		if len(sec) >= 4 {
			s = strings.ReplaceAll(s, sec, "[redacted]")
		}
	}
	s = jwtLike().ReplaceAllString(s, "[redacted]")
	s = longOpaque().ReplaceAllString(s, "[redacted]")
	s = tags().ReplaceAllString(s, " ")
	s = strings.TrimSpace(spaces().ReplaceAllString(s, " "))
	if r := []rune(s); len(r) > max {
		s = string(r[:max]) + "…"
	}
	return s
}
