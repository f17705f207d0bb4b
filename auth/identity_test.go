package auth

import (
	"encoding/base64"
	"testing"
)

func TestIdentity(t *testing.T) {
	enc := base64.RawURLEncoding.EncodeToString
	idt := func(claims string) string {
		return enc([]byte(`{"alg":"RS256","typ":"JWT"}`)) + "." + enc([]byte(claims)) + "." + enc([]byte("signature"))
	}
	tests := []struct {
		name, idToken, want string
	}{
		{"no ID token", "", ""},
		{"not a JWT", "opaque", ""},
		{"sub only", idt(`{"sub":"alice"}`), "alice"},
		{"email over sub", idt(`{"sub":"248289761001","email":"alice@example.com"}`), "alice@example.com"},
		{"preferred_username first", idt(`{"sub":"1","email":"a@example.com","name":"Alice","preferred_username":"alice"}`), "alice"},
		{"name over sub", idt(`{"sub":"1","name":"Alice A."}`), "Alice A."},
		{"empty claims skipped", idt(`{"preferred_username":"","sub":"bob"}`), "bob"},
		{"not a string", idt(`{"preferred_username":7,"sub":"bob"}`), "bob"},
		{"nothing to name", idt(`{"aud":"x"}`), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Identity(tt.idToken); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}
