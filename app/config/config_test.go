package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const good = `listen = "127.0.0.1:8733"

[[profile]]
name = "work"
issuer = "https://idp.example.com"
client_id = "tokentray"
scopes = ["openid", "offline_access"]

[[profile]]
name = "veeam"
token_endpoint = "https://backup.example.com/api/oauth2/token"
client_id = "x"
scopes = []
dialect = "veeam"
login = "password"
default_lifetime = "15m"
[profile.extra_headers]
x-api-version = "1.1-rev0"
`

func TestParseGood(t *testing.T) {
	c, err := Parse("c.toml", []byte(good))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if got, want := len(c.Profiles), 2; got != want {
		t.Fatalf("profiles: got %d, want %d", got, want)
	}
	p, ok := c.Profile("veeam")
	if !ok || p.DefaultLifetime.Minutes() != 15 || p.ExtraHeaders["x-api-version"] != "1.1-rev0" {
		t.Errorf("veeam profile: got %+v", p)
	}
	if got := c.ListenAddr(); got != "127.0.0.1:8733" {
		t.Errorf("ListenAddr: got %q", got)
	}
}

func TestParseProblemsNameLineAndKey(t *testing.T) {
	tests := []struct {
		name string
		doc  string
		want []string // substrings, each must appear
	}{
		{"unknown key", "[[profile]]\nname = \"a\"\nissuer = \"https://x\"\nclient_id = \"c\"\nscopes = []\ncolour = \"red\"\n", []string{"c.toml:6: profile.colour: unknown key"}},
		{"missing fields", "\n[[profile]]\nname = \"a\"\n", []string{"c.toml:2: profile[0].client_id: missing", "profile[0].issuer: missing"}},
		{"bad URL", "[[profile]]\nname = \"a\"\nclient_id = \"c\"\nscopes = []\nissuer = \"ftp://x\"\n", []string{"c.toml:5: profile[0].issuer:", "not an absolute http(s) URL"}},
		{"http off loopback", "[[profile]]\nname = \"a\"\nclient_id = \"c\"\nscopes = []\nissuer = \"http://idp.example.com\"\n", []string{"c.toml:5:", "only allowed to a loopback host"}},
		{"duplicate", "[[profile]]\nname = \"a\"\nclient_id = \"c\"\nissuer = \"https://x\"\n[[profile]]\nname = \"a\"\nclient_id = \"c\"\nissuer = \"https://x\"\n", []string{"c.toml:6: profile[1].name: \"a\" is already the name of profile[0]"}},
		{"listen not loopback", "listen = \"0.0.0.0:8733\"\n", []string{"c.toml:1: listen:", "loopback"}},
		{"wrong type", "[[profile]]\nname = 3\n", []string{"c.toml:2:"}},
		{"syntax", "listen = \n", []string{"c.toml:1"}},
		{"bad duration", "[[profile]]\nname=\"a\"\nclient_id=\"c\"\nissuer=\"https://x\"\ndefault_lifetime = \"soon\"\n", []string{"c.toml:5:", "duration"}},
		{"bad enum", "[[profile]]\nname=\"a\"\nclient_id=\"c\"\nissuer=\"https://x\"\nclient_auth = \"magic\"\n", []string{"c.toml:5: profile[0].client_auth: unknown method \"magic\""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Parse("c.toml", []byte(tt.doc))
			if err == nil {
				t.Fatalf("got config %+v, want an error", c)
			}
			var ce *Error
			if !errors.As(err, &ce) {
				t.Fatalf("got %T %v, want *Error", err, err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("got %q, want it to contain %q", err, w)
				}
			}
		})
	}
}

func TestSaveIsAtomicAndRoundTrips(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "sub", "config.toml")
	c, err := Parse("c.toml", []byte(good))
	if err != nil {
		t.Fatal(err)
	}
	if err := Save(path, c); err != nil {
		t.Fatalf("Save: %v", err)
	}
	back, err := Load(path)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if back.Profiles[1].DefaultLifetime != c.Profiles[1].DefaultLifetime || back.Profiles[0].Issuer != c.Profiles[0].Issuer {
		t.Errorf("round trip: got %+v, want %+v", back, c)
	}
	// An invalid config is refused and the file keeps its old contents.
	c.Profiles[0].Issuer = "nope"
	if err := Save(path, c); err == nil {
		t.Fatal("Save of an invalid config: got nil error")
	}
	if _, err := Load(path); err != nil {
		t.Errorf("after a refused save the file must still load: %v", err)
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("temp files left behind: %v", entries)
	}
}
