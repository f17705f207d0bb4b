package auth

import (
	"maps"
	"net/url"
	"testing"
	"time"

	"github.com/tokentray/tokentray/internal/testing/seedfake"
)

// Pagero Online API authentication guide: POST https://sso.pageroonline.com/oauth/v2/oauth-token.
func TestPageroRotation(t *testing.T) {
	for _, tc := range []struct {
		auth       ClientAuth
		wantHeader string
		wantBody   func(rt string) string
	}{
		{AuthSecretBasic, "Basic Y2xpZW50LWlkOmNsaWVudC1zZWNyZXQ=", func(rt string) string {
			return "grant_type=refresh_token&refresh_token=" + url.QueryEscape(rt)
		}},
		{AuthSecretPost, "", func(rt string) string {
			return "grant_type=refresh_token&refresh_token=" + url.QueryEscape(rt) + "&client_id=client-id&client_secret=client-secret"
		}},
	} {
		t.Run(string(tc.auth), func(t *testing.T) {
			clk := newTestClock()
			fake := seedfake.NewPagero(t, seedfake.PageroOptions{ClientID: "client-id", Secret: "client-secret", Now: clk.Now})
			c := NewClient(Config{Endpoints: Endpoints{TokenURL: fake.TokenURL()}, ClientID: "client-id", ClientSecret: "client-secret", ClientAuth: tc.auth}, fake.Client(), clk.Now)
			rt0 := fake.IssueRefreshToken("alice")

			tok1, err := c.Refresh(testContext(t), rt0)
			if err != nil {
				t.Fatalf("first refresh: %v (the fake said: %s)", err, fake.LastRejection())
			}
			req, _ := fake.LastRequest()
			if got := req.Header.Get("Authorization"); got != tc.wantHeader {
				t.Errorf("Authorization: got %v, want %v", got, tc.wantHeader)
			}
			if got, want := req.Body, tc.wantBody(rt0); got != want {
				t.Errorf("body: got %v, want %v", got, want)
			}
			if tok1.RefreshToken == rt0 || tok1.RefreshToken == "" {
				t.Fatalf("refresh token: got %q, want a new one (single use)", tok1.RefreshToken)
			}
			// The access token is a JWT: its exp, in whole seconds, falls a
			// quarter second before expires_in counted from the sending, and
			// the earlier one is what a resource server enforces.
			if want := clk.Now().Add(600 * time.Second).Truncate(time.Second); !tok1.Expiry.Equal(want) || tok1.ExpirySource != "jwt" {
				t.Errorf("expiry: got %v (%s), want %v (jwt)", tok1.Expiry, tok1.ExpirySource, want)
			}
			if !tok1.RefreshExpiry.IsZero() {
				t.Errorf("refresh expiry: got %v, want unknown (an opaque token, no lifetime in the answer)", tok1.RefreshExpiry)
			}

			tok2, err := c.Refresh(testContext(t), tok1.RefreshToken)
			if err != nil {
				t.Fatalf("second refresh: %v", err)
			}
			if tok2.RefreshToken == tok1.RefreshToken {
				t.Error("the second refresh returned the same refresh token")
			}

			// Using a token twice is what a second process with a stale copy
			// would do: the grant is gone, a person must log in again.
			_, err = c.Refresh(testContext(t), rt0)
			mustKind(t, err, LoginRequired)
			mustNotLeak(t, err.Error(), rt0, "client-secret")
			if got, want := fake.Refreshes(), 2; got != want {
				t.Errorf("refreshes: got %d, want %d", got, want)
			}
		})
	}
}

func TestPageroDocumentExample(t *testing.T) {
	now := newTestClock().Now()
	tok, err := DialectOAuth2.parse([]byte(docPageroResponse), now, nil, nil)
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	if got, want := tok.RefreshToken, "_1XBPWQQ_e61b091b-9139-4268-a7c7-765d2d418d52"; got != want {
		t.Errorf("refresh token: got %v, want %v", got, want)
	}
	if tok.TokenType != "bearer" || tok.Scope != "" || !tok.Expiry.Equal(now.Add(600*time.Second)) {
		t.Errorf("got type %q scope %q expiry %v, want bearer, empty, %v", tok.TokenType, tok.Scope, tok.Expiry, now.Add(600*time.Second))
	}
	if want := map[string]any{"claims": "publicid"}; !maps.Equal(tok.Extra, want) {
		t.Errorf("extra: got %v, want %v", tok.Extra, want)
	}
}
