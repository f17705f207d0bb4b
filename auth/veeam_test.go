package auth

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tokentray/tokentray/internal/testing/seedfake"
)

// Veeam Backup & Replication REST API reference: POST {host}/api/oauth2/token.
func TestVeeamPasswordAndRefresh(t *testing.T) {
	clk := newTestClock()
	fake := seedfake.NewVeeam(t, seedfake.VeeamOptions{User: "admin", Password: "p@ss word", Now: clk.Now})
	// A client ID in the profile must not reach Veeam, which knows no client.
	c := NewClient(Config{Endpoints: Endpoints{TokenURL: fake.TokenURL()}, ClientID: "tokentray", Dialect: DialectVeeam, Scopes: []string{"openid"}}, fake.Client(), clk.Now)

	tok, err := c.Password(testContext(t), "admin", "p@ss word")
	if err != nil {
		t.Fatalf("password: %v (the fake said: %s)", err, fake.LastRejection())
	}
	req, _ := fake.LastRequest()
	if got, want := req.Body, "grantType=Password&userName=admin&password=p%40ss+word"; got != want {
		t.Errorf("body: got %v, want %v", got, want)
	}
	if got := req.Header.Get("Authorization"); got != "" {
		t.Errorf("Authorization: got %v, want none", got)
	}
	// The JWT's exp is in whole seconds, a quarter second before the
	// absolute expiry: the earlier one counts.
	if want := clk.Now().Add(15 * time.Minute).Truncate(time.Second); !tok.Expiry.Equal(want) || tok.ExpirySource != "jwt" {
		t.Errorf("expiry: got %v (%s), want %v (jwt)", tok.Expiry, tok.ExpirySource, want)
	}
	if want := clk.Now().Add(14 * 24 * time.Hour); !tok.RefreshExpiry.Equal(want) {
		t.Errorf("refresh expiry: got %v, want %v", tok.RefreshExpiry, want)
	}
	if tok.TokenType != "Bearer" {
		t.Errorf("token type: got %v, want Bearer (the document sends none)", tok.TokenType)
	}

	clk.Advance(20 * time.Minute)
	rt := tok.RefreshToken
	tok, err = c.Refresh(testContext(t), rt)
	if err != nil {
		t.Fatalf("refresh: %v (the fake said: %s)", err, fake.LastRejection())
	}
	req, _ = fake.LastRequest()
	if got, want := req.Body, "grantType=RefreshToken&refreshToken="+rt; got != want {
		t.Errorf("body: got %v, want %v", got, want)
	}
	if want := clk.Now().Add(15 * time.Minute).Truncate(time.Second); tok.RefreshToken == rt || !tok.Expiry.Equal(want) {
		t.Errorf("got refresh token %.12s… expiry %v, want a new pair expiring at %v", tok.RefreshToken, tok.Expiry, want)
	}
	if fake.Logins() != 1 || fake.Refreshes() != 1 || fake.Rejections() != 0 {
		t.Errorf("fake counters: got %d logins, %d refreshes, %d rejections, want 1, 1, 0", fake.Logins(), fake.Refreshes(), fake.Rejections())
	}

	clk.Advance(15 * 24 * time.Hour)
	_, err = c.Refresh(testContext(t), tok.RefreshToken)
	mustKind(t, err, LoginRequired)
	mustNotLeak(t, err.Error(), tok.RefreshToken)
}

func TestVeeamWrongPassword(t *testing.T) {
	fake := seedfake.NewVeeam(t, seedfake.VeeamOptions{User: "admin", Password: "right"})
	c := NewClient(Config{Endpoints: Endpoints{TokenURL: fake.TokenURL()}, Dialect: DialectVeeam}, fake.Client(), nil)
	_, err := c.Password(testContext(t), "admin", "wrong-password")
	mustKind(t, err, LoginRequired)
	mustNotLeak(t, err.Error(), "wrong-password")
}

// The snake_case api/v1/token of newer versions is the oauth2 dialect with
// an x-api-version header.
func TestVeeamV1(t *testing.T) {
	fake := seedfake.NewVeeam(t, seedfake.VeeamOptions{User: "admin", Password: "secret", V1: true, APIVersion: "1.2-rev0"})
	for _, tc := range []struct {
		name    string
		headers map[string]string
		ok      bool
	}{
		{"with x-api-version", map[string]string{"x-api-version": "1.2-rev0"}, true},
		{"without", nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := NewClient(Config{Endpoints: Endpoints{TokenURL: fake.TokenURL()}, Dialect: DialectOAuth2, ExtraHeaders: tc.headers}, fake.Client(), nil)
			tok, err := c.Password(testContext(t), "admin", "secret")
			if !tc.ok {
				if err == nil {
					t.Fatal("got a token, want an error")
				}
				return
			}
			if err != nil {
				t.Fatalf("password: %v (the fake said: %s)", err, fake.LastRejection())
			}
			req, _ := fake.LastRequest()
			if got, want := req.Body, "grant_type=password&username=admin&password=secret"; got != want {
				t.Errorf("body: got %v, want %v", got, want)
			}
			if tok.ExpirySource != "jwt" { // its exp, whole seconds, is a fraction earlier than expires_in
				t.Errorf("expiry source: got %v, want jwt", tok.ExpirySource)
			}
			if _, err := c.Refresh(testContext(t), tok.RefreshToken); err != nil {
				t.Errorf("refresh: %v (the fake said: %s)", err, fake.LastRejection())
			}
		})
	}
}

// The document's example, byte for byte: its request body is what the
// dialect sends, and its response parses to the stated expiries (not to the
// exp of its JWTs, which say 2020: the timestamps win).
func TestVeeamDocumentExample(t *testing.T) {
	docRT := strings.TrimPrefix(docVeeamRequestBody, "grantType=RefreshToken&refreshToken=")
	var gotBody string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		gotBody = string(b)
		w.Header().Set("Content-Type", "application/json")
		w.Header()["Date"] = nil // the document's clock is not ours: no skew to learn
		// The document's blank lines hold no-break spaces from its web page;
		// a server sends JSON whitespace.
		io.WriteString(w, strings.ReplaceAll(docVeeamResponse, "\u00a0", " "))
	}))
	defer srv.Close()
	c := NewClient(Config{Endpoints: Endpoints{TokenURL: srv.URL}, ClientID: "ignored", Dialect: DialectVeeam}, srv.Client(), newTestClock().Now)

	tok, err := c.Refresh(testContext(t), docRT)
	if err != nil {
		t.Fatalf("refresh: %v", err)
	}
	if gotBody != docVeeamRequestBody {
		t.Errorf("body: got %v, want the document's %v", gotBody, docVeeamRequestBody)
	}
	for _, tc := range []struct {
		name string
		got  time.Time
		want string
	}{
		{"Expiry", tok.Expiry, "2022-11-01T13:43:43.7826152Z"},
		{"RefreshExpiry", tok.RefreshExpiry, "2022-11-02T13:13:43.7826277Z"},
	} {
		want, _ := time.Parse(time.RFC3339Nano, tc.want)
		if !tc.got.Equal(want) || tc.got.Nanosecond() != want.Nanosecond() {
			t.Errorf("%s: got %v, want %v", tc.name, tc.got.Format(seedfake.VeeamTimeLayout), tc.want)
		}
	}
	if tok.ExpirySource != "expires_at" {
		t.Errorf("expiry source: got %v, want expires_at", tok.ExpirySource)
	}
	if !strings.HasPrefix(tok.AccessToken, "eyJhbGciOiJSUzUxMiIs") || !strings.HasPrefix(tok.RefreshToken, "eyJhbGciOiJSUzUxMiIs") || tok.RefreshToken == docRT {
		t.Errorf("tokens: got %.20s… and %.20s…, want the document's new pair", tok.AccessToken, tok.RefreshToken)
	}
	if len(tok.Extra) != 0 {
		t.Errorf("extra: got %v, want none", tok.Extra)
	}
	if q, _ := url.ParseQuery(gotBody); len(q) != 2 {
		t.Errorf("body fields: got %v, want grantType and refreshToken only", q)
	}
}
