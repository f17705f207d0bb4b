package auth

import (
	"maps"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/tokentray/tokentray/internal/testing/seedfake"
)

func TestPresetNames(t *testing.T) {
	want := []string{"digirunner", "digirunner-public", "oidc", "oracle", "oracle-jwt", "pagero", "veeam", "veeam-v1"}
	if got := slices.Sorted(maps.Keys(Presets())); !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

func TestPresetsConsistent(t *testing.T) {
	sample := map[string]string{"domain": "idp.example.com", "api_version": "1.2-rev0"}
	for name, p := range Presets() {
		t.Run(name, func(t *testing.T) {
			check := func(ok bool, format string, args ...any) {
				t.Helper()
				if !ok {
					t.Errorf(format, args...)
				}
			}
			check(p.Name == name, "name: got %v, want %v", p.Name, name)
			check(p.Description != "" && !strings.ContainsAny(p.Description, "\r\n") && len(p.Description) <= 100,
				"description %q: want one line of at most 100 characters", p.Description)
			if d, err := ParseDialect(string(p.Dialect)); err != nil || d != p.Dialect {
				t.Errorf("dialect %q: %v", p.Dialect, err)
			}
			check(slices.Contains([]ClientAuth{AuthNone, AuthSecretBasic, AuthSecretPost, AuthDigiRunner, AuthPrivateKeyJWT}, p.ClientAuth),
				"client auth %q is not one auth knows", p.ClientAuth)
			check(slices.Contains([]LoginMethod{LoginBrowser, LoginPassword, LoginImport, LoginDevice}, p.Login),
				"login %q is not a login method", p.Login)

			// Veeam's dialect has a password login and no client (Veeam Backup & Replication REST API reference).
			if p.Dialect == DialectVeeam {
				check(p.Login == LoginPassword, "veeam dialect: login %v, want password", p.Login)
				check(p.ClientAuth == AuthNone && !p.NeedsClientID && !p.NeedsSecret, "veeam dialect: want no client credentials")
			}
			// Where the endpoints come from.
			check(p.Discovery != (p.TokenEndpoint != ""), "want exactly one of discovery and a token endpoint")
			if p.Login == LoginBrowser {
				check(p.Discovery || p.AuthorizationEndpoint != "", "a browser login needs discovery or an authorization endpoint")
			} else {
				check(p.AuthorizationEndpoint == "", "authorization endpoint %q for a %s login", p.AuthorizationEndpoint, p.Login)
			}
			// What the user must supply matches the client authentication.
			switch p.ClientAuth {
			case AuthSecretBasic, AuthSecretPost:
				check(p.NeedsClientID && p.NeedsSecret, "%s needs a client ID and secret", p.ClientAuth)
			case AuthDigiRunner:
				check(p.NeedsClientID, "digirunner needs a client ID")
				check(p.NeedsSecret == !strings.HasSuffix(p.Name, "-public"), "digirunner: secret needed %v for %s", p.NeedsSecret, p.Name)
			case AuthPrivateKeyJWT:
				check(p.NeedsClientID && !p.NeedsSecret, "private_key_jwt needs a client ID and a key, no secret")
			case AuthNone:
				check(!p.NeedsSecret, "a public client has no secret")
			}
			check(len(p.AssertionAudience) == 0 || p.ClientAuth == AuthPrivateKeyJWT, "an assertion audience without private_key_jwt")
			check(!p.NeedsKeyID || p.ClientAuth == AuthPrivateKeyJWT, "a key ID without private_key_jwt")
			for h := range p.ExtraHeaders {
				check(!strings.EqualFold(h, "Authorization") && !strings.EqualFold(h, "Content-Type"), "extra header %s is set by auth itself", h)
			}

			// Expanded, every template is an absolute https URL.
			e, err := p.Expand(sample)
			if err != nil {
				t.Fatalf("expand: %v", err)
			}
			for _, s := range append([]string{e.TokenEndpoint, e.AuthorizationEndpoint}, e.AssertionAudience...) {
				if s == "" {
					continue
				}
				u, err := url.Parse(s)
				check(err == nil && u.Scheme == "https" && u.Host != "" && !strings.ContainsAny(s, "{}"), "expanded URL %q: want absolute https", s)
			}
			for k, v := range e.ExtraHeaders {
				check(v != "" && !strings.ContainsAny(v, "{}"), "header %s: got %q after expansion", k, v)
			}
		})
	}
}

func TestPresetExpand(t *testing.T) {
	p, _ := LookupPreset("veeam-v1")
	if got, want := p.Placeholders(), []string{"api_version", "domain"}; !slices.Equal(got, want) {
		t.Errorf("placeholders: got %v, want %v", got, want)
	}
	for _, tc := range []struct {
		domain, want string
	}{
		{"vbr.example.com", "https://vbr.example.com/api/v1/token"},
		{"https://vbr.example.com:9419/", "https://vbr.example.com:9419/api/v1/token"},
		{"http://127.0.0.1:8080", "http://127.0.0.1:8080/api/v1/token"},
	} {
		t.Run(tc.domain, func(t *testing.T) {
			e, err := p.Expand(map[string]string{"domain": tc.domain, "api_version": "1.2-rev0"})
			if err != nil {
				t.Fatal(err)
			}
			if e.TokenEndpoint != tc.want || e.ExtraHeaders["x-api-version"] != "1.2-rev0" {
				t.Errorf("got %v %v, want %v and the version header", e.TokenEndpoint, e.ExtraHeaders, tc.want)
			}
		})
	}
	if _, err := p.Expand(map[string]string{"domain": "vbr.example.com"}); err == nil || !strings.Contains(err.Error(), "{api_version}") {
		t.Errorf("expand without api_version: got %v, want an error naming it", err)
	}
	// The template itself is left alone.
	if p.TokenEndpoint != "{domain}/api/v1/token" {
		t.Errorf("template changed: %v", p.TokenEndpoint)
	}
	pagero, _ := LookupPreset("pagero")
	if got := pagero.Placeholders(); len(got) != 0 {
		t.Errorf("pagero placeholders: got %v, want none (a fixed endpoint)", got)
	}
}

// configFrom is what the agent builds from an expanded preset.
func configFrom(p Preset, clientID, secret string) Config {
	return Config{
		Endpoints:         Endpoints{TokenURL: p.TokenEndpoint, AuthorizationURL: p.AuthorizationEndpoint},
		ClientID:          clientID,
		ClientSecret:      secret,
		ClientAuth:        p.ClientAuth,
		Dialect:           p.Dialect,
		ExtraHeaders:      p.ExtraHeaders,
		AssertionAudience: p.AssertionAudience,
	}
}

// Each provider preset, filled in as a user would, works against the fake
// of its document.
func TestPresetsAgainstFakes(t *testing.T) {
	signer, err := NewAssertionSigner(pemKeys(t)["RS256 PKCS#8"], "tokentray")
	if err != nil {
		t.Fatal(err)
	}
	type fake interface {
		URL() string
		TokenURL() string
		LastRejection() string
	}
	for _, tc := range []struct {
		preset string
		start  func(t *testing.T) (f fake, rt string) // rt empty: log in by password
		id     string
		secret string
	}{
		{"digirunner", func(t *testing.T) (fake, string) {
			f := seedfake.NewDigiRunner(t, seedfake.DigiRunnerOptions{ClientID: "tspclient", ClientPassword: "tsp123abcd"})
			return f, f.IssueRefreshToken("tspuser")
		}, "tspclient", "tsp123abcd"},
		{"digirunner-public", func(t *testing.T) (fake, string) {
			f := seedfake.NewDigiRunner(t, seedfake.DigiRunnerOptions{ClientID: "tspclient", Public: true})
			return f, f.IssueRefreshToken("tspuser")
		}, "tspclient", ""},
		{"veeam", func(t *testing.T) (fake, string) {
			return seedfake.NewVeeam(t, seedfake.VeeamOptions{User: "admin", Password: "pw"}), ""
		}, "", ""},
		{"veeam-v1", func(t *testing.T) (fake, string) {
			return seedfake.NewVeeam(t, seedfake.VeeamOptions{User: "admin", Password: "pw", V1: true, APIVersion: "1.2-rev0"}), ""
		}, "", ""},
		{"pagero", func(t *testing.T) (fake, string) {
			f := seedfake.NewPagero(t, seedfake.PageroOptions{ClientID: "client-id", Secret: "client-secret"})
			return f, f.IssueRefreshToken("alice")
		}, "client-id", "client-secret"},
		{"oracle", func(t *testing.T) (fake, string) {
			f := seedfake.NewOracle(t, seedfake.OracleOptions{ClientID: "app", Secret: "s3cret"})
			return f, f.IssueRefreshToken("alice")
		}, "app", "s3cret"},
		{"oracle-jwt", func(t *testing.T) (fake, string) {
			f := seedfake.NewOracle(t, seedfake.OracleOptions{ClientID: "app", PublicKey: signer.Public(), KeyID: "tokentray"})
			return f, f.IssueRefreshToken("alice")
		}, "app", ""},
	} {
		t.Run(tc.preset, func(t *testing.T) {
			f, rt := tc.start(t)
			p, ok := LookupPreset(tc.preset)
			if !ok {
				t.Fatalf("no preset %s", tc.preset)
			}
			e, err := p.Expand(map[string]string{"domain": f.URL(), "api_version": "1.2-rev0"})
			if err != nil {
				t.Fatal(err)
			}
			if e.TokenEndpoint != f.TokenURL() {
				if tc.preset != "pagero" {
					t.Fatalf("token endpoint: got %v, want the fake's %v", e.TokenEndpoint, f.TokenURL())
				}
				e.TokenEndpoint = f.TokenURL() // a fixed public URL; the test talks to the fake
			}
			cfg := configFrom(e, tc.id, tc.secret)
			if p.ClientAuth == AuthPrivateKeyJWT {
				cfg.Signer = signer
			}
			c := NewClient(cfg, nil, nil)
			if rt == "" {
				if p.Login != LoginPassword {
					t.Fatalf("login %v: the test has no refresh token to import", p.Login)
				}
				tok, err := c.Password(testContext(t), "admin", "pw")
				if err != nil {
					t.Fatalf("password login: %v (the fake said: %s)", err, f.LastRejection())
				}
				rt = tok.RefreshToken
			}
			if _, err := c.Refresh(testContext(t), rt); err != nil {
				t.Errorf("refresh: %v (the fake said: %s)", err, f.LastRejection())
			}
		})
	}
}
