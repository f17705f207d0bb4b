package auth

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

const goodCode = "code-0123456789abcdef0123456789abcdef"

// codeEndpoint is a token endpoint that redeems goodCode once.
func codeEndpoint(t *testing.T) (*httptest.Server, *atomic.Int32) {
	var exchanges atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		exchanges.Add(1)
		r.ParseForm()
		w.Header().Set("Content-Type", "application/json")
		if r.PostForm.Get("code") != goodCode || r.PostForm.Get("code_verifier") == "" {
			w.WriteHeader(400)
			io.WriteString(w, `{"error":"invalid_grant","error_description":"bad code `+r.PostForm.Get("code")+`"}`)
			return
		}
		io.WriteString(w, `{"access_token":"at-from-code","refresh_token":"rt-from-code","expires_in":60}`)
	}))
	t.Cleanup(srv.Close)
	return srv, &exchanges
}

// callbackStep is one request a browser (or an attacker) sends to the
// loopback redirect URI.
type callbackStep struct {
	method string
	path   string // "" for the redirect URI's path
	query  func(state string) url.Values
	want   int // the status the page must have
}

// stepBrowser plays steps against the redirect URI in the authorization
// URL it is given, and records the pages it got.
type stepBrowser struct {
	t     *testing.T
	steps []callbackStep

	mu    sync.Mutex // guards pages
	pages []string
}

func (b *stepBrowser) Browse(authURL string) error {
	u, err := url.Parse(authURL)
	if err != nil {
		return err
	}
	state := u.Query().Get("state")
	redirect, err := url.Parse(u.Query().Get("redirect_uri"))
	if err != nil {
		return err
	}
	for i, s := range b.steps {
		target := *redirect
		if s.path != "" {
			target.Path = s.path
		}
		target.RawQuery = s.query(state).Encode()
		method := s.method
		if method == "" {
			method = http.MethodGet
		}
		req, _ := http.NewRequest(method, target.String(), nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			b.t.Errorf("step %d: %v", i, err)
			return nil
		}
		page, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		b.mu.Lock()
		b.pages = append(b.pages, string(page))
		b.mu.Unlock()
		if resp.StatusCode != s.want {
			b.t.Errorf("step %d (%s %s): got HTTP %d %q, want %d", i, method, target.Path, resp.StatusCode, page, s.want)
		}
	}
	return nil
}

func q(kv ...string) func(string) url.Values {
	return func(state string) url.Values {
		v := url.Values{}
		for i := 0; i+1 < len(kv); i += 2 {
			val := kv[i+1]
			if val == "STATE" {
				val = state
			}
			v.Set(kv[i], val)
		}
		return v
	}
}

var good = callbackStep{query: q("code", goodCode, "state", "STATE", "iss", "https://idp.example"), want: 200}

// Hostile and broken requests to the loopback redirect URI: the stray or
// forged ones are answered and ignored (the login goes on and succeeds
// with the real callback); those that carry the right state end the login
// with a clear error, and no code is exchanged that should not be.
func TestCallbackHostileRequests(t *testing.T) {
	huge := strings.Repeat("x", 64<<10)
	tests := []struct {
		name          string
		issSupported  bool
		steps         []callbackStep
		wantErr       string // "" for a successful login
		wantExchanges int32
	}{
		{"wrong state, then the real callback", false, []callbackStep{
			{query: q("code", goodCode, "state", "forged-state"), want: 400}, good}, "", 1},
		{"missing state, then the real callback", false, []callbackStep{
			{query: q("code", goodCode), want: 400}, good}, "", 1},
		{"other paths, then the real callback", false, []callbackStep{
			{path: "/", query: q(), want: 404}, {path: "/favicon.ico", query: q(), want: 404},
			{path: "/callback/../admin", query: q("code", goodCode, "state", "STATE"), want: 404}, good}, "", 1},
		{"POST to the callback, then the real one", false, []callbackStep{
			{method: "POST", query: q("code", goodCode, "state", "STATE"), want: 405}, good}, "", 1},
		{"a huge query string, then the real callback", false, []callbackStep{
			{query: q("code", huge, "state", "STATE"), want: 431}, good}, "", 1},
		{"missing code", false, []callbackStep{
			{query: q("state", "STATE"), want: 400}}, "has no code", 0},
		{"consent denied", false, []callbackStep{
			{query: q("error", "access_denied", "error_description", "The user denied the request", "state", "STATE"), want: 403}},
			"the provider refused: access_denied: The user denied the request", 0},
		{"an error quoting a token", false, []callbackStep{
			{query: q("error", "server_error", "error_description", "bad eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln", "state", "STATE"), want: 403}},
			"server_error: bad [redacted]", 0},
		{"iss of another issuer (RFC 9207 mix-up)", false, []callbackStep{
			{query: q("code", goodCode, "state", "STATE", "iss", "https://evil.example"), want: 400}}, "mix-up", 0},
		{"iss missing where the provider announces it", true, []callbackStep{
			{query: q("code", goodCode, "state", "STATE"), want: 400}}, "has no iss", 0},
		{"a code the provider refuses", false, []callbackStep{
			{query: q("code", "code-wrong-0123456789abcdef0123456789", "state", "STATE"), want: 502}}, "invalid_grant", 1},
		{"the real callback, iss as announced", true, []callbackStep{good}, "", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, exchanges := codeEndpoint(t)
			c := NewClient(Config{Issuer: "https://idp.example", ClientID: "cid",
				Endpoints: Endpoints{AuthorizationURL: "https://idp.example/authorize", TokenURL: srv.URL, IssParameterSupported: tt.issSupported}},
				srv.Client(), nil)
			b := &stepBrowser{t: t, steps: tt.steps}
			tok, err := c.Login(testContext(t), LoginOptions{Browser: b})
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("Login: %v, want success", err)
			case tt.wantErr == "" && tok.AccessToken != "at-from-code":
				t.Fatalf("Login: got %+v, want the token from the code", tok)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Fatalf("Login: got %v, want an error containing %q", err, tt.wantErr)
			}
			if err != nil {
				mustNotLeak(t, err.Error(), goodCode, huge)
			}
			if got := exchanges.Load(); got != tt.wantExchanges {
				t.Errorf("code exchanges: got %d, want %d", got, tt.wantExchanges)
			}
			b.mu.Lock()
			defer b.mu.Unlock()
			for _, p := range b.pages {
				mustNotLeak(t, p, goodCode, "at-from-code", "rt-from-code")
			}
		})
	}
}

// Only the first callback with the right state counts; a second one (a
// reload, a replayed URL) gets 409 and changes nothing.
func TestCallbackSecondIsRefused(t *testing.T) {
	srv, exchanges := codeEndpoint(t)
	c := NewClient(Config{ClientID: "cid", Endpoints: Endpoints{TokenURL: srv.URL}}, srv.Client(), nil)
	cb := &callback{client: c, path: "/callback", state: "the-state", verifier: "v", redirectURI: "http://127.0.0.1:1/callback", ctx: testContext(t)}
	var once sync.Once
	req := httptest.NewRequest("GET", "/callback?code="+goodCode+"&state=the-state", nil)
	status, handled, tok, err := cb.handle(req, &once)
	if status != 200 || !handled || err != nil || tok == nil {
		t.Fatalf("first: got %d, %v, %v, %v, want 200 and a token", status, handled, tok, err)
	}
	status, handled, tok, err = cb.handle(req, &once)
	if status != http.StatusConflict || handled || tok != nil || !errors.Is(err, ErrCallback) {
		t.Errorf("second: got %d, %v, %v, %v, want 409, not handled", status, handled, tok, err)
	}
	if got := exchanges.Load(); got != 1 {
		t.Errorf("code exchanges: got %d, want 1", got)
	}
}
