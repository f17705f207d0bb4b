package auth

import (
	"fmt"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// TestJWTExpiryIgnoresClockSkew: a provider whose clock is off by ten
// minutes either way still gets its tokens' stated lifetime.
func TestJWTExpiryIgnoresClockSkew(t *testing.T) {
	now := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	sign := func(claims jwt.MapClaims) string {
		s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString([]byte("k"))
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	tests := []struct {
		name string
		skew time.Duration // the issuer's clock minus ours
		iat  bool
		want time.Duration // expiry minus now
	}{
		{"in sync", 0, true, 5 * time.Minute},
		{"issuer ahead", 10 * time.Minute, true, 5 * time.Minute},
		{"issuer behind", -10 * time.Minute, true, 5 * time.Minute},
		{"no iat trusts exp", 0, false, 5 * time.Minute},
		{"no iat, issuer behind: exp is all there is", -10 * time.Minute, false, -5 * time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			issued := now.Add(tt.skew)
			claims := jwt.MapClaims{"exp": issued.Add(5 * time.Minute).Unix(), "sub": "alice"}
			if tt.iat {
				claims["iat"] = issued.Unix()
			}
			body := fmt.Sprintf(`{"access_token":%q,"token_type":"Bearer"}`, sign(claims))
			tok, err := DialectOAuth2.parse([]byte(body), now, nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			if got := tok.Expiry.Sub(now); got != tt.want || tok.ExpirySource != "jwt" {
				t.Errorf("got %v from %q, want %v from jwt", got, tok.ExpirySource, tt.want)
			}
		})
	}
}
