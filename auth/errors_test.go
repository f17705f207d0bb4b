package auth

import (
	"encoding/base64"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tokentray/tokentray/internal/testing/seedfake"
)

func TestClassify(t *testing.T) {
	for _, tc := range []struct {
		status     int
		code, desc string
		want       Kind
	}{
		// RFC 6749 §5.2.
		{400, "invalid_grant", "", LoginRequired},
		{400, "invalid_client", "", Misconfigured},
		{401, "invalid_client", "", Misconfigured},
		{400, "unauthorized_client", "", Misconfigured},
		{400, "unsupported_grant_type", "", Misconfigured},
		{400, "invalid_scope", "", Misconfigured},
		{400, "invalid_request", "missing parameter", Misconfigured},
		// Provider equivalents of invalid_grant.
		{401, "invalid_token", "Invalid refresh token (expired): [redacted]", LoginRequired},                               // digiRunner
		{400, "invalid_request", "Refresh token is invalid or has already been claimed by another client.", LoginRequired}, // Dex
		{401, "Unauthorized", "the refresh token has expired", LoginRequired},                                              // Veeam's errorCode
		// No OAuth error that says the grant is gone (a proxy's page, a
		// code we do not know): try again with backoff, never a login.
		{400, "", "", Transient},
		{401, "", "", Transient},
		{403, "", "", Transient},
		{400, "something_new", "", Transient},
		{403, "Unauthorized", "", Transient},
		{429, "", "", Transient},
		{408, "", "", Transient},
		{500, "", "", Transient},
		{502, "", "", Transient},
		{503, "invalid_grant", "", Transient}, // a 5xx is the server's trouble whatever it says
		{200, "invalid_grant", "", LoginRequired},
		{200, "temporarily_unavailable", "", Transient},
	} {
		t.Run(tc.code+"/"+http.StatusText(tc.status), func(t *testing.T) {
			if got := classify(tc.status, tc.code, tc.desc); got != tc.want {
				t.Errorf("classify(%d, %q, %q): got %v, want %v", tc.status, tc.code, tc.desc, got, tc.want)
			}
		})
	}
}

// refreshAgainst runs one refresh against a server answering with h.
func refreshAgainst(t *testing.T, rt string, h http.HandlerFunc) (*Token, error) {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	c := NewClient(Config{Endpoints: Endpoints{TokenURL: srv.URL}, ClientID: "cid", ClientSecret: "client-secret-value", ClientAuth: AuthSecretBasic}, srv.Client(), newTestClock().Now)
	return c.Refresh(testContext(t), rt)
}

func answer(status int, contentType, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if contentType != "" {
			w.Header().Set("Content-Type", contentType)
		}
		w.WriteHeader(status)
		w.Write([]byte(body))
	}
}

func TestTokenEndpointErrors(t *testing.T) {
	const rt = "rt-0123456789abcdef0123456789abcdef"
	const jwtLikeRT = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl"
	const jsonType = "application/json"
	htmlPage := seedfake.HTMLFault(http.StatusBadGateway)
	for _, tc := range []struct {
		name    string
		h       http.HandlerFunc
		want    Kind
		mention []string // the message must contain each
	}{
		{"RFC 6749 invalid_grant", answer(400, jsonType, `{"error":"invalid_grant","error_description":"Token is not active"}`),
			LoginRequired, []string{"HTTP 400", "invalid_grant", "Token is not active"}},
		{"RFC 6749 invalid_client", answer(401, jsonType, `{"error":"invalid_client"}`),
			Misconfigured, []string{"HTTP 401", "invalid_client"}},
		{"description quoting the token", answer(400, jsonType, `{"error":"invalid_grant","error_description":"unknown token `+rt+`"}`),
			LoginRequired, []string{"unknown token [redacted]"}},
		{"description quoting the client secret", answer(401, jsonType, `{"error":"invalid_client","error_description":"secret client-secret-value is wrong"}`),
			Misconfigured, []string{"secret [redacted] is wrong"}},
		{"Dex reused refresh token", answer(400, jsonType, `{"error":"invalid_request","error_description":"Refresh token is invalid or has already been claimed by another client."}`),
			LoginRequired, []string{"already been claimed"}},
		{"400 without a body", answer(400, "", ""), Transient, []string{"HTTP 400", "Bad Request"}},
		{"401 without a body", answer(401, "", ""), Transient, []string{"HTTP 401", "Unauthorized"}},
		{"Veeam's dead refresh token", answer(401, jsonType, `{"errorCode":"Unauthorized","message":"the refresh token is invalid"}`),
			LoginRequired, []string{"HTTP 401", "Unauthorized", "the refresh token is invalid"}},
		{"HTML error page", answer(htmlPage.Status, htmlPage.ContentType, htmlPage.Body),
			Transient, []string{"HTTP 502", "an HTML page", "502 Bad Gateway"}},
		{"HTML login page quoting the token", answer(403, "text/html", `<html><body><form><input type="hidden" name="rt" value="`+jwtLikeRT+`"><p>Please sign in</p></form></body></html>`),
			Transient, []string{"HTTP 403", "Please sign in"}},
		{"HTML page with 200", answer(200, "text/html", `<!DOCTYPE html><html><head><title>Wi-Fi login</title></head><body>Accept the terms</body></html>`),
			Transient, []string{"not JSON", "an HTML page", "Wi-Fi login"}},
		{"200 without access_token", answer(200, jsonType, `{"token_type":"Bearer","expires_in":3600}`),
			Transient, []string{"without an access_token"}},
		{"200 with error", answer(200, jsonType, `{"error":"invalid_grant","error_description":"expired"}`),
			LoginRequired, []string{"HTTP 200", "invalid_grant"}},
		{"500 JSON", answer(500, jsonType, `{"error":"server_error"}`), Transient, []string{"HTTP 500", "server_error"}},
		{"503", answer(503, "text/plain", "upstream connect error"), Transient, []string{"HTTP 503", "upstream connect error"}},
		{"429", answer(429, "", ""), Transient, []string{"HTTP 429"}},
		{"plain text", answer(400, "text/plain", "bad token "+rt), Transient, []string{"bad token [redacted]"}},
		{"body over 1 MiB", answer(200, jsonType, `{"access_token":"`+strings.Repeat("a", 1<<20)+`"}`),
			Transient, []string{"larger than 1 MiB"}},
		{"body over 1 MiB with an error status", answer(400, jsonType, strings.Repeat(" ", 1<<20)+`{"error":"invalid_grant"}`),
			Transient, []string{"larger than 1 MiB"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, sent := range []string{rt, jwtLikeRT} {
				_, err := refreshAgainst(t, sent, tc.h)
				mustKind(t, err, tc.want)
				msg := err.Error()
				mustNotLeak(t, msg, sent, rt, "client-secret-value")
				for _, want := range tc.mention {
					if !strings.Contains(msg, want) {
						t.Errorf("message %q: want it to contain %q", msg, want)
					}
				}
				if strings.ContainsAny(msg, "<>") || strings.Contains(msg, "font-family") || strings.Contains(msg, "dataLayer") {
					t.Errorf("message %q: want no markup, styles or scripts", msg)
				}
				if len([]rune(msg)) > 300 {
					t.Errorf("message of %d runes: want a short one", len([]rune(msg)))
				}
			}
		})
	}
}

func TestRedirectNotFollowed(t *testing.T) {
	var hit atomic.Bool
	elsewhere := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hit.Store(true) }))
	defer elsewhere.Close()
	for _, status := range []int{301, 302, 307, 308} {
		t.Run(http.StatusText(status), func(t *testing.T) {
			_, err := refreshAgainst(t, "rt-secret-value-123", func(w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, elsewhere.URL+"/token?rt=rt-secret-value-123", status)
			})
			mustKind(t, err, Misconfigured)
			mustNotLeak(t, err.Error(), "rt-secret-value-123")
			if hit.Load() {
				t.Error("the redirect was followed")
			}
		})
	}
}

func TestExpiresIn(t *testing.T) {
	now := newTestClock().Now()
	jwtExp := now.Add(2 * time.Hour).Truncate(time.Second)
	at := jwtWithExp(t, jwtExp)
	for _, tc := range []struct {
		name       string
		body       string
		wantExpiry time.Time
		wantSource string
	}{
		{"seconds", `{"access_token":"opaque","expires_in":3600}`, now.Add(time.Hour), "expires_in"},
		{"quoted seconds", `{"access_token":"opaque","expires_in":"3600"}`, now.Add(time.Hour), "expires_in"},
		{"fraction", `{"access_token":"opaque","expires_in":59.9}`, now.Add(59 * time.Second), "expires_in"},
		{"absent", `{"access_token":"opaque"}`, time.Time{}, ""},
		{"zero", `{"access_token":"opaque","expires_in":0}`, time.Time{}, ""},
		{"negative", `{"access_token":"opaque","expires_in":-5}`, time.Time{}, ""},
		{"absurd", `{"access_token":"opaque","expires_in":1e15}`, time.Time{}, ""},
		{"ten years", `{"access_token":"opaque","expires_in":315360000}`, time.Time{}, ""},
		{"not a number", `{"access_token":"opaque","expires_in":"soon"}`, time.Time{}, ""},
		{"null", `{"access_token":"opaque","expires_in":null}`, time.Time{}, ""},
		{"negative, JWT access token", `{"access_token":"` + at + `","expires_in":-5}`, jwtExp, "jwt"},
		{"JWT exp in ten years", `{"access_token":"` + jwtWithExp(t, now.Add(10*366*24*time.Hour)) + `"}`, time.Time{}, ""},
		{"JWT exp in the past (the session refuses it)", `{"access_token":"` + jwtWithExp(t, now.Add(-time.Hour).Truncate(time.Second)) + `"}`, now.Add(-time.Hour).Truncate(time.Second), "jwt"},
		{"absurd timestamp", `{"access_token":"opaque","accessTokenExpiresAt":"9999-12-31T23:59:59.9999999Z"}`, time.Time{}, ""},
		{"timestamp without zone", `{"access_token":"opaque","accessTokenExpiresAt":"2025-03-01T13:00:00"}`, time.Time{}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tok, err := DialectOAuth2.parse([]byte(tc.body), now, nil, nil)
			if err != nil {
				t.Fatalf("parse: %v", err)
			}
			if !tok.Expiry.Equal(tc.wantExpiry) || tok.ExpirySource != tc.wantSource {
				t.Errorf("got %v (%q), want %v (%q)", tok.Expiry, tok.ExpirySource, tc.wantExpiry, tc.wantSource)
			}
		})
	}
}

// A refresh token that is a JWT tells its own expiry, also when the provider
// sends no new one and the old one is kept.
func TestRefreshExpiryFromJWT(t *testing.T) {
	now := newTestClock().Now()
	exp := now.Add(30 * 24 * time.Hour).Truncate(time.Second)
	rt := jwtWithExp(t, exp)
	for _, tc := range []struct {
		name string
		body string
	}{
		{"rotated", `{"access_token":"a","refresh_token":"` + rt + `"}`},
		{"kept", `{"access_token":"a"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tok, err := refreshAgainst(t, rt, answer(200, "application/json", tc.body))
			if err != nil {
				t.Fatal(err)
			}
			if tok.RefreshToken != rt || !tok.RefreshExpiry.Equal(exp) {
				t.Errorf("got %.10s… expiring %v, want the JWT expiring %v", tok.RefreshToken, tok.RefreshExpiry, exp)
			}
		})
	}
	// An explicit lifetime wins over the JWT.
	tok, err := DialectOAuth2.parse([]byte(`{"access_token":"a","refresh_token":"`+rt+`","refresh_expires_in":60}`), now, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := now.Add(time.Minute); !tok.RefreshExpiry.Equal(want) {
		t.Errorf("refresh_expires_in: got %v, want %v", tok.RefreshExpiry, want)
	}
}

// RFC 6749 §2.3.1: id and secret are form-urlencoded before the Basic
// encoding.
func TestClientSecretBasicEncoding(t *testing.T) {
	var header string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		header = r.Header.Get("Authorization")
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"access_token":"a"}`))
	}))
	defer srv.Close()
	c := NewClient(Config{Endpoints: Endpoints{TokenURL: srv.URL}, ClientID: "a b:c", ClientSecret: "p@ss:w%rd", ClientAuth: AuthSecretBasic}, srv.Client(), nil)
	if _, err := c.Refresh(testContext(t), "rt"); err != nil {
		t.Fatal(err)
	}
	if want := "Basic " + base64.StdEncoding.EncodeToString([]byte("a+b%3Ac:p%40ss%3Aw%25rd")); header != want {
		t.Errorf("got %v, want %v", header, want)
	}
}

func TestConfigErrorsAreMisconfigured(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  Config
	}{
		{"no token endpoint", Config{ClientID: "c"}},
		{"private_key_jwt without a key", Config{Endpoints: Endpoints{TokenURL: "http://127.0.0.1:1/token"}, ClientID: "c", ClientAuth: AuthPrivateKeyJWT}},
		{"unknown client authentication", Config{Endpoints: Endpoints{TokenURL: "http://127.0.0.1:1/token"}, ClientID: "c", ClientAuth: "magic"}},
		{"unusable URL", Config{Endpoints: Endpoints{TokenURL: "http://[::1"}, ClientID: "c"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := NewClient(tc.cfg, nil, nil).Refresh(testContext(t), "rt")
			mustKind(t, err, Misconfigured)
		})
	}
}

func TestUnreachableIsTransient(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	_, err = NewClient(Config{Endpoints: Endpoints{TokenURL: "http://" + addr + "/token"}, ClientID: "c"}, nil, nil).Refresh(testContext(t), "rt-secret-value")
	mustKind(t, err, Transient)
	var e *Error
	if !errors.As(err, &e) || e.Err == nil {
		t.Errorf("got %#v, want an *Error wrapping the transport error", err)
	}
	mustNotLeak(t, err.Error(), "rt-secret-value")
}

// ExtraParams add fields; they never replace those of the grant.
func TestExtraParams(t *testing.T) {
	var body string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		body = r.PostForm.Encode()
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"access_token":"a"}`))
	}))
	defer srv.Close()
	c := NewClient(Config{Endpoints: Endpoints{TokenURL: srv.URL}, ClientID: "c", ExtraParams: map[string]string{"resource": "https://api.example", "grant_type": "password"}}, srv.Client(), nil)
	if _, err := c.Refresh(testContext(t), "rt"); err != nil {
		t.Fatal(err)
	}
	if want := "client_id=c&grant_type=refresh_token&refresh_token=rt&resource=https%3A%2F%2Fapi.example"; body != want {
		t.Errorf("got %v, want %v", body, want)
	}
}

func jwtWithExp(t *testing.T, exp time.Time) string {
	t.Helper()
	enc := base64.RawURLEncoding.EncodeToString
	return enc([]byte(`{"alg":"RS256","typ":"JWT"}`)) + "." + enc([]byte(`{"sub":"alice","exp":`+strconv.FormatInt(exp.Unix(), 10)+`}`)) + "." + enc([]byte("signature"))
}
