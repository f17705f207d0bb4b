package config

import (
	"errors"
	"strings"
	"testing"
)

// profileDoc is a valid profile on lines 2–6 (line 1 is top-level), with
// extra lines appended from line 7 on.
func profileDoc(top string, extra ...string) string {
	return top + "\n[[profile]]\nname = \"work\"\nissuer = \"https://idp.example.com\"\nclient_id = \"c\"\nscopes = [\"openid\"]\n" + strings.Join(extra, "\n") + "\n"
}

// Every value validate refuses is named with its file, line and key, and
// the file is refused whole (no config comes back).
func TestEveryInvalidValueIsNamedWithItsLine(t *testing.T) {
	tests := []struct {
		name string
		doc  string
		want string
	}{
		{"listen without a port", profileDoc(`listen = "127.0.0.1"`), `c.toml:1: listen: "127.0.0.1" is not host:port`},
		{"listen on a name", profileDoc(`listen = "localhost:8733"`), `c.toml:1: listen: "localhost:8733": the token API listens on a loopback IP only`},
		{"listen on every interface", profileDoc(`listen = "[::]:8733"`), `c.toml:1: listen:`},
		{"store", profileDoc(`store = "plaintext"`), `c.toml:1: store: must be "keyring" or "file", not "plaintext"`},
		{"log_level", profileDoc(`log_level = "verbose"`), `c.toml:1: log_level: must be debug, info, warn or error, not "verbose"`},
		{"name with a slash", "\n[[profile]]\nname = \"a/b\"\nissuer = \"https://x\"\nclient_id = \"c\"\n", `c.toml:3: profile[0].name: "a/b": use letters`},
		{"name too long", "\n[[profile]]\nname = \"" + strings.Repeat("n", 65) + "\"\nissuer = \"https://x\"\nclient_id = \"c\"\n", `c.toml:3: profile[0].name:`},
		{"name missing", "\n[[profile]]\nissuer = \"https://x\"\nclient_id = \"c\"\n", `c.toml:2: profile[0].name: missing`},
		{"authorization_endpoint", profileDoc("", `authorization_endpoint = "not a url"`), `c.toml:7: profile[0].authorization_endpoint: "not a url" is not an absolute http(s) URL`},
		{"token_endpoint", profileDoc("", `token_endpoint = "ftp://idp/token"`), `c.toml:7: profile[0].token_endpoint:`},
		{"revocation_endpoint over plain http", profileDoc("", `revocation_endpoint = "http://idp.example.com/revoke"`), `c.toml:7: profile[0].revocation_endpoint: "http://idp.example.com/revoke": plain http is only allowed to a loopback host`},
		{"device_authorization_endpoint", profileDoc("", `device_authorization_endpoint = "/device"`), `c.toml:7: profile[0].device_authorization_endpoint:`},
		{"user info in a URL", profileDoc("", `token_endpoint = "https://user:pw@idp.example.com/token"`), `c.toml:7: profile[0].token_endpoint:`},
		{"fragment in a URL", profileDoc("", `token_endpoint = "https://idp.example.com/token#x"`), `no user info or fragment`},
		{"redirect_port", profileDoc("", `redirect_port = 70000`), `c.toml:7: profile[0].redirect_port: 70000 is not a port`},
		{"redirect_port negative", profileDoc("", `redirect_port = -1`), `c.toml:7: profile[0].redirect_port: -1 is not a port`},
		{"redirect_path", profileDoc("", `redirect_path = "callback"`), `c.toml:7: profile[0].redirect_path: must start with /`},
		{"client_auth", profileDoc("", `client_auth = "magic"`), `c.toml:7: profile[0].client_auth: unknown method "magic"`},
		{"dialect", profileDoc("", `dialect = "soap"`), `c.toml:7: profile[0].dialect: unknown dialect "soap"`},
		{"login", profileDoc("", `login = "telepathy"`), `c.toml:7: profile[0].login: unknown login "telepathy"`},
		{"default_lifetime negative", profileDoc("", `default_lifetime = "-5m"`), `c.toml:7: profile[0].default_lifetime: must be positive`},
		{"default_lifetime not a duration", profileDoc("", `default_lifetime = "an hour"`), `c.toml:7:`},
		{"extra_headers Authorization", profileDoc("", "[profile.extra_headers]", `Authorization = "Bearer x"`), `c.toml:8: profile[0].extra_headers: "Authorization" is set by tokentray itself`},
		{"extra_headers inline", profileDoc("", `extra_headers = { "content-type" = "text/plain" }`), `c.toml:7: profile[0].extra_headers: "content-type" is set by tokentray itself`},
		{"browser login without an authorization endpoint", "\n[[profile]]\nname = \"a\"\ntoken_endpoint = \"https://x/token\"\nclient_id = \"c\"\n", `c.toml:2: profile[0].authorization_endpoint: missing: a browser login needs issuer or authorization_endpoint`},
		{"scopes of the wrong type", profileDoc("", `scopes = "openid"`), `c.toml:`},
		{"a number where a string goes", profileDoc("", `client_auth = 5`), `c.toml:7:`},
		{"the second profile's problem", profileDoc("", "", "[[profile]]", `name = "two"`, `issuer = "https://y"`, `client_id = "c"`, `dialect = "x"`), `c.toml:12: profile[1].dialect:`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Parse("c.toml", []byte(tt.doc))
			if c != nil {
				t.Errorf("got a config back with the error, want none (never half-applied)")
			}
			var ce *Error
			if !errors.As(err, &ce) {
				t.Fatalf("got %v, want *Error", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %q, want it to contain %q", err, tt.want)
			}
			for _, p := range ce.Problems {
				if p.File != "c.toml" || p.Line == 0 {
					t.Errorf("problem %+v: want the file and a line", p)
				}
			}
		})
	}
}

// All problems of a file are reported at once, each on its own line.
func TestAllProblemsAtOnce(t *testing.T) {
	doc := "listen = \"0.0.0.0:1\"\nstore = \"x\"\n[[profile]]\nname = \"a\"\nclient_id = \"c\"\nissuer = \"ftp://x\"\nredirect_path = \"cb\"\n"
	_, err := Parse("c.toml", []byte(doc))
	var ce *Error
	if !errors.As(err, &ce) {
		t.Fatalf("got %v, want *Error", err)
	}
	want := map[string]int{"listen": 1, "store": 2, "profile[0].issuer": 6, "profile[0].redirect_path": 7}
	got := map[string]int{}
	for _, p := range ce.Problems {
		got[p.Key] = p.Line
	}
	for k, line := range want {
		if got[k] != line {
			t.Errorf("%s: got line %d, want %d (all: %v)", k, got[k], line, got)
		}
	}
}
