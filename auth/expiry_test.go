package auth

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// tokenServer answers every token request with body(clock) after running
// before (which may move the clock: a slow provider), with a Date header
// from the provider's clock, skew ahead of ours (none when skew is nil).
func tokenServer(t *testing.T, clk *testClock, skew *time.Duration, before func(), body func() string) *Client {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		if before != nil {
			before()
		}
		if skew == nil {
			w.Header()["Date"] = nil
		} else {
			w.Header().Set("Date", clk.Now().Add(*skew).UTC().Format(http.TimeFormat))
		}
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, body())
	}))
	t.Cleanup(srv.Close)
	return NewClient(Config{Endpoints: Endpoints{TokenURL: srv.URL}, ClientID: "cid"}, srv.Client(), clk.Now)
}

func signed(t *testing.T, claims jwt.MapClaims) string {
	t.Helper()
	s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString([]byte("k"))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// The lifetime counts from the sending: a provider that takes 3 s to answer
// issued the token at some moment in those 3 s, so expires_in from the
// arrival would be up to 3 s late.
func TestExpiryAnchoredAtTheSending(t *testing.T) {
	clk := newTestClock()
	sent := clk.Now()
	c := tokenServer(t, clk, nil, func() { clk.Advance(3 * time.Second) },
		func() string { return `{"access_token":"at","refresh_token":"rt2","expires_in":60}` })
	tok, err := c.Refresh(testContext(t), "rt")
	if err != nil {
		t.Fatal(err)
	}
	if want := sent.Add(60 * time.Second); !tok.Expiry.Equal(want) {
		t.Errorf("expiry: got %v, want %v (sent + expires_in)", tok.Expiry, want)
	}
	if !tok.Issued.Equal(sent) {
		t.Errorf("issued: got %v, want %v", tok.Issued, sent)
	}
}

// The earlier of expires_in and the JWT access token's exp counts, the exp
// moved onto our clock by the provider's Date header when they disagree.
func TestExpiryEarlierOfExpiresInAndExp(t *testing.T) {
	clk := newTestClock()
	now := clk.Now()
	d := func(x time.Duration) *time.Duration { return &x }
	tests := []struct {
		name       string
		skew       *time.Duration // the provider's clock minus ours; nil: no Date header
		expIn      int            // expires_in; 0: none
		exp, iat   time.Duration  // on the provider's clock, from its now; iat 0: none
		wantIn     time.Duration  // the expiry, from now
		wantSource string
		wantSkew   time.Duration
	}{
		{"exp earlier than expires_in", d(0), 60, 30 * time.Second, 0, 30 * time.Second, "jwt", 0},
		{"expires_in earlier than exp", d(0), 60, 90 * time.Second, 0, 60 * time.Second, "expires_in", 0},
		{"no expires_in", d(0), 0, 45 * time.Second, 0, 45 * time.Second, "jwt", 0},
		{"provider 10 min ahead, Date corrects exp", d(10 * time.Minute), 0, 40 * time.Second, 0, 40 * time.Second, "jwt", 10 * time.Minute},
		{"provider 10 min behind, Date corrects exp", d(-10 * time.Minute), 300, 40 * time.Second, 0, 40 * time.Second, "jwt", -10 * time.Minute},
		{"provider 1 s ahead: within the Date's grain", d(time.Second), 60, 90 * time.Second, 0, 60 * time.Second, "expires_in", 0},
		{"no Date, iat: the stated lifetime", nil, 300, 40 * time.Second, -5 * time.Second, 45 * time.Second, "jwt", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var skew time.Duration
			if tt.skew != nil {
				skew = *tt.skew
			}
			pnow := now.Add(skew)
			claims := jwt.MapClaims{"sub": "alice", "exp": pnow.Add(tt.exp).Unix()}
			if tt.iat != 0 {
				claims["iat"] = pnow.Add(tt.iat).Unix()
			}
			body := fmt.Sprintf(`{"access_token":%q,"refresh_token":"rt2"`, signed(t, claims))
			if tt.expIn > 0 {
				body += fmt.Sprintf(`,"expires_in":%d`, tt.expIn)
			}
			body += "}"
			c := tokenServer(t, clk, tt.skew, nil, func() string { return body })
			tok, err := c.Refresh(testContext(t), "rt")
			if err != nil {
				t.Fatal(err)
			}
			// exp is in whole seconds of the provider's clock.
			got := tok.Expiry.Sub(now)
			if got > tt.wantIn || got < tt.wantIn-time.Second || tok.ExpirySource != tt.wantSource {
				t.Errorf("expiry: got now+%v (%s), want now+%v (%s), to the second below", got, tok.ExpirySource, tt.wantIn, tt.wantSource)
			}
			if tok.ClockSkew != tt.wantSkew {
				t.Errorf("clock skew: got %v, want %v", tok.ClockSkew, tt.wantSkew)
			}
		})
	}
}

// RFC 6749 §5.1: a refresh answer without scope granted the previous one;
// the refresh token too is the previous one when none comes back (§6).
func TestRefreshKeepsOmittedScope(t *testing.T) {
	tests := []struct {
		name, body, wantScope, wantRT string
	}{
		{"scope omitted", `{"access_token":"at","expires_in":60}`, "openid profile", "rt"},
		{"scope narrowed", `{"access_token":"at","scope":"openid","refresh_token":"rt2","expires_in":60}`, "openid", "rt2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := tokenServer(t, newTestClock(), nil, nil, func() string { return tt.body })
			tok, err := c.RefreshFrom(testContext(t), &Token{RefreshToken: "rt", Scope: "openid profile"})
			if err != nil {
				t.Fatal(err)
			}
			if tok.Scope != tt.wantScope || tok.RefreshToken != tt.wantRT {
				t.Errorf("got scope %q, refresh token %q, want %q, %q", tok.Scope, tok.RefreshToken, tt.wantScope, tt.wantRT)
			}
		})
	}
}
