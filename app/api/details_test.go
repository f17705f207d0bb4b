package api

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/tokentray/tokentray/app/session"
)

func TestDetailsOf(t *testing.T) {
	enc := func(v any) string {
		b, _ := json.Marshal(v)
		return base64.RawURLEncoding.EncodeToString(b)
	}
	jwt := enc(map[string]any{"alg": "RS256", "kid": "k1"}) + "." + enc(map[string]any{"sub": "alice", "iat": 1700000000, "exp": 1700003600}) + ".c2ln"
	received := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := []struct {
		name       string
		cur        session.Current
		has        bool
		wantFormat string
		wantIssued time.Time
		wantSub    any
	}{
		{"none", session.Current{}, false, "none", time.Time{}, nil},
		{"opaque", session.Current{AccessToken: "abc.def", Received: received}, true, "opaque", received, nil},
		{"jwt", session.Current{AccessToken: jwt, Received: received, Scope: "openid"}, true, "jwt", time.Unix(1700000000, 0), "alice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := detailsOf(session.Status{Profile: "p"}, tt.cur, tt.has)
			if d.Format != tt.wantFormat {
				t.Errorf("format: got %q, want %q", d.Format, tt.wantFormat)
			}
			if !d.IssuedAt.Equal(tt.wantIssued) {
				t.Errorf("issued: got %v, want %v", d.IssuedAt, tt.wantIssued)
			}
			if got := d.Claims["sub"]; got != tt.wantSub {
				t.Errorf("sub: got %v, want %v", got, tt.wantSub)
			}
			b, _ := json.Marshal(d)
			if tt.cur.AccessToken != "" && strings.Contains(string(b), tt.cur.AccessToken) {
				t.Errorf("the details hold the access token itself: %s", b)
			}
			if tt.name == "jwt" && strings.Contains(string(b), "c2ln") {
				t.Errorf("the details hold the signature: %s", b)
			}
		})
	}
}
