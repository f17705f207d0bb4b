package auth

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// The seed corpora are in testdata/fuzz/<FuzzName>/; `make fuzz` runs each
// target for a while, CI briefly.

const fuzzSecret = "rt-fuzz-secret-0123456789abcdef"

// FuzzTokenResponse feeds arbitrary bodies to the dialects' parser: it must
// never panic, never return a token without an access token or with an
// unbelievable lifetime from expires_in or a timestamp, and never quote the
// refresh token that was sent.
func FuzzTokenResponse(f *testing.F) {
	for _, s := range []string{
		`{"access_token":"a","token_type":"Bearer","expires_in":3600,"refresh_token":"r","scope":"openid"}`,
		`{"access_token":"a","expires_in":"3600"}`,
		`{"access_token":"a","expires_in":-1}`,
		`{"access_token":"a","expires_in":1e300}`,
		`{"error":"invalid_grant","error_description":"token ` + fuzzSecret + ` is gone"}`,
		`{"accessToken":"a","access_token":"b","accessTokenExpiresAt":"2025-03-01T12:15:00.7826152Z","refreshTokenExpiresAt":"2025-03-15T12:00:00Z"}`,
		`{"access_token":"eyJhbGciOiJSUzI1NiJ9.eyJleHAiOjE3NDA4MzA0MDB9.c2ln","jti":"x","node":1}`,
		`<html><body>` + fuzzSecret + `</body></html>`,
		`null`, `[]`, `"x"`, ``,
	} {
		f.Add([]byte(s), false)
		f.Add([]byte(s), true)
	}
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, body []byte, veeam bool) {
		d := DialectOAuth2
		if veeam {
			d = DialectVeeam
		}
		tok, err := d.parse(body, now, nil, []string{fuzzSecret})
		if err != nil {
			if tok != nil {
				t.Fatal("a token and an error")
			}
			if strings.Contains(err.Error(), fuzzSecret) {
				t.Fatalf("the error quotes the refresh token: %q", err)
			}
			return
		}
		if tok.AccessToken == "" {
			t.Fatal("a token without an access token")
		}
		if !tok.Expiry.IsZero() && tok.Expiry.After(now.Add(maxLifetime)) {
			t.Fatalf("expiry %v from %s: beyond any believable lifetime", tok.Expiry, tok.ExpirySource)
		}
		if tok.ExpirySource == "expires_in" && !tok.Expiry.After(now) {
			t.Fatalf("expiry %v from expires_in is not in the future", tok.Expiry)
		}
		for k := range tok.Extra {
			if strings.Contains(strings.ToLower(k), "token") {
				t.Fatalf("Extra keeps %q, which may be a token", k)
			}
		}
	})
}

// FuzzDecodeJWT: no input panics, and an error never quotes the input.
func FuzzDecodeJWT(f *testing.F) {
	for _, s := range []string{
		"eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSIsImV4cCI6MTc0MDgzMDQwMH0.c2ln",
		"eyJhbGciOiJub25lIn0.eyJleHAiOiJzb29uIn0.",
		"a.b.c", "..", "eyJ.eyJ.eyJ", "not a jwt",
		"eyJhbGciOiJIUzI1NiJ9.W10.c2ln",     // claims are an array
		"eyJhbGciOiJIUzI1NiJ9.bnVsbA.c2ln",  // claims are null
		"eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjF9", // two parts
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		header, claims, err := DecodeJWT(s)
		if err != nil {
			if len(s) >= 8 && strings.Contains(err.Error(), s) {
				t.Fatalf("the error quotes the input: %q", err)
			}
			return
		}
		if header == nil || claims == nil {
			t.Fatal("no error and no header or claims")
		}
		JWTExpiry(s)
	})
}

const fuzzVerifier = "verifier-0123456789abcdef0123456789abcdef"

// others joins every key and value of q but those of key: what a request
// may legitimately see echoed (redacted) in an error.
func others(q url.Values, key string) string {
	var b strings.Builder
	for k, vs := range q {
		b.WriteString(k)
		if k != key {
			b.WriteString(strings.Join(vs, " "))
		}
	}
	return b.String()
}

// roundTripFunc answers requests without a network.
type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// FuzzCallback sends arbitrary requests to the loopback callback handler.
// Only a GET of the redirect path carrying the right state may end the
// login, only once; every answer has a known status; no page or error
// quotes the code or the tokens.
func FuzzCallback(f *testing.F) {
	const state = "state-0123456789abcdef0123456789abcdef"
	for _, s := range []struct{ method, path, query string }{
		{"GET", "/callback", "code=code-0123456789abcdef0123456789&state=" + state},
		{"GET", "/callback", "code=code-0123456789abcdef0123456789&state=" + state + "&iss=https%3A%2F%2Fidp.example"},
		{"GET", "/callback", "code=code-0123456789abcdef0123456789&state=" + state + "&iss=https%3A%2F%2Fevil.example"},
		{"GET", "/callback", "error=access_denied&error_description=no&state=" + state},
		{"GET", "/callback", "state=" + state},
		{"GET", "/callback", "code=x&state=wrong"},
		{"GET", "/callback", "code=x&code=y&state=" + state + "&state=" + state},
		{"GET", "/callback", "%zz=%&state=" + state},
		{"POST", "/callback", "code=x&state=" + state},
		{"GET", "/", ""},
		{"GET", "/callback/", "state=" + state},
	} {
		f.Add(s.method, s.path, s.query)
	}
	hc := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		io.Copy(io.Discard, r.Body)
		return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}},
			Body: io.NopCloser(strings.NewReader(`{"access_token":"at-fuzz-0123456789abcdef0123456789","refresh_token":"rt-fuzz-0123456789abcdef0123456789","expires_in":60}`))}, nil
	})}
	c := NewClient(Config{Issuer: "https://idp.example", ClientID: "cid", Endpoints: Endpoints{TokenURL: "https://idp.example/token"}}, hc, nil)
	allowed := map[int]bool{200: true, 400: true, 403: true, 404: true, 405: true, 409: true, 502: true}
	f.Fuzz(func(t *testing.T, method, path, rawQuery string) {
		cb := &callback{client: c, path: "/callback", state: state, verifier: fuzzVerifier, redirectURI: "http://127.0.0.1:1/callback", ctx: t.Context()}
		r := &http.Request{Method: method, URL: &url.URL{Path: path, RawQuery: rawQuery}, Header: http.Header{}}
		var once sync.Once
		for i := range 2 {
			status, handled, tok, err := cb.handle(r, &once)
			if !allowed[status] {
				t.Fatalf("status %d", status)
			}
			q, _ := url.ParseQuery(rawQuery)
			if handled && (i > 0 || method != "GET" || path != "/callback" || q.Get("state") != state) {
				t.Fatalf("call %d of %s %s?%s ended the login", i, method, path, rawQuery)
			}
			if (tok != nil) != (status == 200) || (tok != nil && err != nil) {
				t.Fatalf("status %d with token %v and error %v", status, tok != nil, err)
			}
			if err != nil {
				msg := err.Error()
				for _, v := range append(q["code"], "at-fuzz-0123456789abcdef0123456789", "rt-fuzz-0123456789abcdef0123456789", fuzzVerifier) {
					if len(v) >= 8 && strings.Contains(msg, v) && !strings.Contains(others(q, "code"), v) {
						t.Fatalf("the error quotes %q: %q", v, msg)
					}
				}
			}
		}
	})
}
