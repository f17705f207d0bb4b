package auth

import (
	"encoding/json"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tokentray/tokentray/internal/testing/seedfake"
)

// digiRunner's OAuth token API documentation: POST {domain}/oauth/token.
func TestDigiRunnerRefresh(t *testing.T) {
	for _, tc := range []struct {
		name     string
		secret   string
		public   bool
		wantAuth string // the document's "Output for client_secret"
	}{
		{"higher-security client", "tsp123abcd", false, "Basic dHNwY2xpZW50OmRITndNVEl6WVdKalpBPT0="},
		{"PKCE public client", "", true, "Basic dHNwY2xpZW50Og=="},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clk := newTestClock()
			fake := seedfake.NewDigiRunner(t, seedfake.DigiRunnerOptions{ClientID: "tspclient", ClientPassword: "tsp123abcd", Public: tc.public, Now: clk.Now})
			rt := fake.IssueRefreshToken("tspuser")
			c := NewClient(Config{
				Endpoints:    Endpoints{TokenURL: fake.TokenURL()},
				ClientID:     "tspclient",
				ClientSecret: tc.secret,
				ClientAuth:   AuthDigiRunner,
			}, fake.Client(), clk.Now)

			tok, err := c.Refresh(testContext(t), rt)
			if err != nil {
				t.Fatalf("refresh: %v (the fake said: %s)", err, fake.LastRejection())
			}
			req, _ := fake.LastRequest()
			if got := req.Header.Get("Authorization"); got != tc.wantAuth {
				t.Errorf("Authorization: got %v, want %v", got, tc.wantAuth)
			}
			if got, want := req.Body, "grant_type=refresh_token&refresh_token="+url.QueryEscape(rt); got != want {
				t.Errorf("body: got %v, want %v", got, want)
			}
			if got, want := req.Header.Get("Content-Type"), "application/x-www-form-urlencoded"; got != want {
				t.Errorf("Content-Type: got %v, want %v", got, want)
			}

			if tok.TokenType != "bearer" || tok.Scope != "2000000006" {
				t.Errorf("token_type, scope: got %q %q, want bearer 2000000006", tok.TokenType, tok.Scope)
			}
			if want := clk.Now().Add(86399 * time.Second); !tok.Expiry.Equal(want) || tok.ExpirySource != "expires_in" {
				t.Errorf("expiry: got %v (%s), want %v (expires_in)", tok.Expiry, tok.ExpirySource, want)
			}
			// The refresh token is a JWT: its exp is the refresh expiry.
			if want := clk.Now().Add(30 * 24 * time.Hour).Truncate(time.Second); !tok.RefreshExpiry.Equal(want) {
				t.Errorf("refresh expiry: got %v, want %v", tok.RefreshExpiry, want)
			}
			if got, want := slices.Sorted(maps.Keys(tok.Extra)), []string{"jti", "node", "org_id", "stime"}; !slices.Equal(got, want) {
				t.Errorf("extra fields: got %v, want %v", got, want)
			}
			if got, want := tok.Extra["stime"], json.Number("1740830400250"); got != want {
				t.Errorf("stime: got %v, want %v", got, want)
			}
			if tok.RefreshToken == "" || tok.RefreshToken == rt {
				t.Errorf("refresh token: got %.16s…, want the newly signed one", tok.RefreshToken)
			}

			// The kept token works for the next refresh.
			if _, err := c.Refresh(testContext(t), tok.RefreshToken); err != nil {
				t.Errorf("second refresh: %v", err)
			}
			if got := fake.Refreshes(); got != 2 {
				t.Errorf("refreshes: got %d, want 2", got)
			}
		})
	}
}

// A plain RFC 6749 Basic header, or client_secret_post, is not what
// digiRunner takes; the fake refuses both, and the error says so.
func TestDigiRunnerRefusesOtherClientAuth(t *testing.T) {
	for _, auth := range []ClientAuth{AuthSecretBasic, AuthSecretPost, AuthNone} {
		t.Run(string(auth), func(t *testing.T) {
			fake := seedfake.NewDigiRunner(t, seedfake.DigiRunnerOptions{ClientID: "tspclient", ClientPassword: "tsp123abcd"})
			rt := fake.IssueRefreshToken("tspuser")
			c := NewClient(Config{Endpoints: Endpoints{TokenURL: fake.TokenURL()}, ClientID: "tspclient", ClientSecret: "tsp123abcd", ClientAuth: auth}, fake.Client(), nil)
			_, err := c.Refresh(testContext(t), rt)
			mustKind(t, err, Misconfigured)
			mustNotLeak(t, err.Error(), rt, "tsp123abcd")
			if got := fake.Rejections(); got != 1 {
				t.Errorf("rejections: got %d, want 1", got)
			}
		})
	}
}

func TestDigiRunnerExpiredRefreshToken(t *testing.T) {
	fake := seedfake.NewDigiRunner(t, seedfake.DigiRunnerOptions{ClientID: "tspclient", ClientPassword: "tsp123abcd"})
	rt := fake.IssueRefreshToken("tspuser")
	fake.ExpireRefreshTokens()
	c := NewClient(Config{Endpoints: Endpoints{TokenURL: fake.TokenURL()}, ClientID: "tspclient", ClientSecret: "tsp123abcd", ClientAuth: AuthDigiRunner}, fake.Client(), nil)

	_, err := c.Refresh(testContext(t), rt)
	mustKind(t, err, LoginRequired)
	mustNotLeak(t, err.Error(), rt)
	for _, want := range []string{"HTTP 401", "invalid_token", "Invalid refresh token (expired)"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q: want it to contain %q", err, want)
		}
	}
}

// The document's own examples, byte for byte.
func TestDigiRunnerDocumentExamples(t *testing.T) {
	now := newTestClock().Now()
	tok, err := DialectOAuth2.parse([]byte(docDigiRunnerSuccess), now, nil, nil)
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	want := map[string]any{
		"jti":    "41fa8a7b-b21d-4598-b254-5ffbed8b619f",
		"node":   "executor1",
		"org_id": "100000",
		"stime":  json.Number("1684742522981"),
	}
	if !maps.Equal(tok.Extra, want) {
		t.Errorf("extra: got %v, want %v", tok.Extra, want)
	}
	if tok.Scope != "2000000006" || tok.TokenType != "bearer" || !tok.Expiry.Equal(now.Add(86399*time.Second)) {
		t.Errorf("got scope %q type %q expiry %v, want 2000000006 bearer %v", tok.Scope, tok.TokenType, tok.Expiry, now.Add(86399*time.Second))
	}
	if !strings.HasSuffix(tok.RefreshToken, "...") {
		t.Errorf("refresh token: got %.20s…, want the document's (cut short) value", tok.RefreshToken)
	}

	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json;charset=UTF-8")
		w.WriteHeader(http.StatusUnauthorized)
		w.Write([]byte(docDigiRunnerExpired))
	}))
	defer srv.Close()
	c := NewClient(Config{Endpoints: Endpoints{TokenURL: srv.URL}, ClientID: "tspclient", ClientSecret: "tsp123abcd", ClientAuth: AuthDigiRunner}, srv.Client(), nil)
	// The token sent is not the one quoted (the document cuts it short):
	// the redaction must not depend on an exact match.
	_, err = c.Refresh(testContext(t), "some-other-refresh-token")
	mustKind(t, err, LoginRequired)
	mustNotLeak(t, err.Error())
	if want := "token endpoint: HTTP 401: invalid_token: Invalid refresh token (expired): [redacted]"; err.Error() != want {
		t.Errorf("got %v, want %v", err, want)
	}
}
