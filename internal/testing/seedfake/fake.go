// Package seedfake holds test servers shaped after the public documentation
// of the providers the product must speak (docs/providers.md): digiRunner,
// Veeam, Pagero and Oracle identity domains. Each fake answers its token
// endpoint the way its documentation shows, and refuses whatever the
// documentation does not allow: other field names, other client authentication,
// other content types, a reused single-use refresh token. Tests in any
// package use them to check that tokentray speaks each dialect exactly.
//
// The fakes are test support: they record every request (tokens included)
// so that tests can compare bodies and headers byte for byte.
package seedfake

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Request is one request a fake received, kept for tests to inspect.
type Request struct {
	Method string
	Path   string
	Query  string // the raw query string; token requests carry none
	Header http.Header
	Body   string
}

// Form parses the request body as a form; nil when it is not one.
func (r Request) Form() url.Values {
	v, err := url.ParseQuery(r.Body)
	if err != nil {
		return nil
	}
	return v
}

// Fault is a broken answer a fake gives instead of its normal one, as a
// failing provider or a proxy in front of it would.
type Fault struct {
	Status      int
	ContentType string
	Body        string
}

// StatusFault is an answer with status and an empty body.
func StatusFault(status int) Fault { return Fault{Status: status} }

// HTMLFault is an HTML error page with status, the kind a reverse proxy or a
// load balancer sends when the provider behind it is down.
func HTMLFault(status int) Fault {
	text := fmt.Sprintf("%d %s", status, http.StatusText(status))
	return Fault{
		Status:      status,
		ContentType: "text/html; charset=utf-8",
		Body: "<!DOCTYPE html>\n<html><head><title>" + text + "</title>\n" +
			"<style>body{font-family:sans-serif;margin:4em}h1{color:#a00}</style>\n" +
			"<script>window.dataLayer=window.dataLayer||[];</script></head>\n" +
			"<body><h1>" + text + "</h1><p>The server is temporarily unable to service your request.</p>\n" +
			"<hr><address>gateway</address></body></html>\n",
	}
}

// Fake is what every provider fake shares: the server, the record of
// requests, the counters, the injected faults and the refresh tokens it has
// issued. The provider types embed it.
type Fake struct {
	srv       *httptest.Server
	tokenPath string
	now       func() time.Time
	key       *rsa.PrivateKey
	handle    func(r *http.Request, body []byte) reply

	mu            sync.Mutex // guards the fields below; held while a request is answered
	requests      []Request
	faults        []Fault
	refreshes     int
	logins        int
	rejections    int
	lastRejection string
	grants        map[string]*grant
}

// grant is what a fake knows about a refresh token it issued.
type grant struct {
	user    string
	scope   string
	client  string
	expires time.Time // zero: never
	used    bool      // a single-use token that was redeemed
	expired bool      // forced by ExpireRefreshTokens
}

// reply is a provider's answer to one request.
type reply struct {
	status int
	body   any    // written as JSON
	reject string // why the request was refused; counted as a rejection
	served string // "refresh" or "login" when a token was issued
}

// signingKey is one RSA key for every fake in a test binary: generating a
// 2048-bit key costs about 50 ms, and no test needs two fakes to differ.
var signingKey = sync.OnceValue(func() *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic("seedfake: generating an RSA key: " + err.Error())
	}
	return k
})

// newFake starts a server answering tokenPath with handle. It is closed
// when t ends.
func newFake(t testing.TB, tokenPath string, now func() time.Time, handle func(*http.Request, []byte) reply) *Fake {
	t.Helper()
	if now == nil {
		now = time.Now
	}
	f := &Fake{tokenPath: tokenPath, now: now, key: signingKey(), handle: handle, grants: map[string]*grant{}}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serveHTTP))
	t.Cleanup(f.srv.Close)
	return f
}

// URL is the base URL of the fake, e.g. http://127.0.0.1:41234.
func (f *Fake) URL() string { return f.srv.URL }

// TokenURL is the fake's token endpoint.
func (f *Fake) TokenURL() string { return f.srv.URL + f.tokenPath }

// Client returns an HTTP client for the fake.
func (f *Fake) Client() *http.Client { return f.srv.Client() }

// Close shuts the fake down; it is also closed when the test ends.
func (f *Fake) Close() { f.srv.Close() }

// PublicKey is the key that verifies the JWTs the fake issues.
func (f *Fake) PublicKey() crypto.PublicKey { return f.key.Public() }

// Requests returns every request received so far, oldest first.
func (f *Fake) Requests() []Request {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]Request, len(f.requests))
	for i, r := range f.requests {
		r.Header = r.Header.Clone()
		out[i] = r
	}
	return out
}

// LastRequest returns the most recent request; ok is false before the first.
func (f *Fake) LastRequest() (r Request, ok bool) {
	rs := f.Requests()
	if len(rs) == 0 {
		return Request{}, false
	}
	return rs[len(rs)-1], true
}

// Refreshes counts the refresh requests answered with new tokens.
func (f *Fake) Refreshes() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.refreshes
}

// Logins counts the password logins answered with tokens.
func (f *Fake) Logins() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.logins
}

// Rejections counts the requests the fake refused (not injected faults).
func (f *Fake) Rejections() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.rejections
}

// LastRejection says why the fake last refused a request; "" if it never did.
func (f *Fake) LastRejection() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.lastRejection
}

// FailNext makes the next n requests get fault instead of an answer.
func (f *Fake) FailNext(n int, fault Fault) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for range n {
		f.faults = append(f.faults, fault)
	}
}

// ExpireRefreshTokens makes every refresh token issued so far expired.
func (f *Fake) ExpireRefreshTokens() {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, g := range f.grants {
		g.expired = true
	}
}

// ExpireRefreshToken makes one refresh token expired; false if the fake
// never issued it.
func (f *Fake) ExpireRefreshToken(rt string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	g, ok := f.grants[rt]
	if ok {
		g.expired = true
	}
	return ok
}

func (f *Fake) serveHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	f.mu.Lock()
	defer f.mu.Unlock()
	f.requests = append(f.requests, Request{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, Header: r.Header.Clone(), Body: string(body)})
	if len(f.faults) > 0 {
		fault := f.faults[0]
		f.faults = f.faults[1:]
		if fault.ContentType != "" {
			w.Header().Set("Content-Type", fault.ContentType)
		}
		w.WriteHeader(fault.Status)
		io.WriteString(w, fault.Body)
		return
	}
	var rep reply
	if r.URL.Path != f.tokenPath {
		rep = reply{status: http.StatusNotFound, body: map[string]string{"error": "not_found"}, reject: "no such endpoint: " + r.URL.Path}
	} else {
		rep = f.handle(r, body)
	}
	switch {
	case rep.reject != "":
		f.rejections++
		f.lastRejection = rep.reject
	case rep.served == "refresh":
		f.refreshes++
	case rep.served == "login":
		f.logins++
	}
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Date", f.now().UTC().Format(http.TimeFormat)) // the fake's clock, as the JWTs it signs
	w.Header().Set("Pragma", "no-cache")
	w.WriteHeader(rep.status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.Encode(rep.body)
}

// parseForm checks what every document asks of a token request: POST, an
// application/x-www-form-urlencoded body (charset UTF-8 at most), nothing
// in the query string, and no field twice (RFC 6749 §3.2). reason is empty
// when the request passes.
func parseForm(r *http.Request, body []byte) (form url.Values, reason string) {
	if r.Method != http.MethodPost {
		return nil, "method " + r.Method + ", want POST"
	}
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/x-www-form-urlencoded" {
		return nil, fmt.Sprintf("content type %q, want application/x-www-form-urlencoded", r.Header.Get("Content-Type"))
	}
	for k, v := range params {
		if k != "charset" || !strings.EqualFold(v, "utf-8") {
			return nil, fmt.Sprintf("content type parameter %s=%s", k, v)
		}
	}
	if r.URL.RawQuery != "" {
		return nil, "parameters in the query string"
	}
	form, err = url.ParseQuery(string(body))
	if err != nil {
		return nil, "body is not form encoded"
	}
	for k, v := range form {
		if len(v) > 1 {
			return nil, "field " + k + " given more than once"
		}
	}
	return form, ""
}

// onlyFields returns a reason when form has a field outside allowed, or
// lacks one of required.
func onlyFields(form url.Values, required []string, optional ...string) string {
	allowed := map[string]bool{}
	for _, k := range append(required, optional...) {
		allowed[k] = true
	}
	for k := range form {
		if !allowed[k] {
			return "unexpected field " + k
		}
	}
	for _, k := range required {
		if form.Get(k) == "" {
			return "missing field " + k
		}
	}
	return ""
}

// refreshState is what a fake knows of a presented refresh token.
type refreshState int

const (
	rtValid refreshState = iota
	rtUnknown
	rtExpired
	rtUsed
)

// lookup finds a refresh token; the caller holds f.mu.
func (f *Fake) lookup(rt string) (*grant, refreshState) {
	g, ok := f.grants[rt]
	switch {
	case !ok:
		return nil, rtUnknown
	case g.used:
		return g, rtUsed
	case g.expired || (!g.expires.IsZero() && !f.now().Before(g.expires)):
		return g, rtExpired
	}
	return g, rtValid
}

// sign makes a compact JWS with the fake's key.
func (f *Fake) sign(method jwt.SigningMethod, header map[string]any, claims jwt.MapClaims) string {
	t := jwt.NewWithClaims(method, claims)
	for k, v := range header {
		t.Header[k] = v
	}
	s, err := t.SignedString(f.key)
	if err != nil {
		panic("seedfake: signing a JWT: " + err.Error())
	}
	return s
}

// newUUID returns a random RFC 9562 version 4 UUID.
func newUUID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// lockAndIssue stores a refresh token issued outside a request (the import
// path of a test).
func (f *Fake) lockAndIssue(issue func() string) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return issue()
}
