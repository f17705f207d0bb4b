package config

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestPresetsFillUnsetFields(t *testing.T) {
	tests := []struct {
		name  string
		doc   string
		check func(t *testing.T, e Profile)
	}{
		{"veeam needs no client id", `[[profile]]
name = "backup"
preset = "veeam"
domain = "backup.example.com:9419"
username = "admin"
`, func(t *testing.T, e Profile) {
			if e.TokenEndpoint != "https://backup.example.com:9419/api/oauth2/token" || e.Dialect != "veeam" || e.Login != "password" || e.ClientAuth != "none" || e.ClientID != "" {
				t.Errorf("got %+v, want the veeam endpoint, dialect, password login, no client", e)
			}
		}},
		{"veeam v1 header from api_version", `[[profile]]
name = "backup"
preset = "veeam-v1"
domain = "https://backup.example.com:9419/"
api_version = "1.1-rev0"
`, func(t *testing.T, e Profile) {
			if e.TokenEndpoint != "https://backup.example.com:9419/api/v1/token" || e.ExtraHeaders["x-api-version"] != "1.1-rev0" || e.Dialect != "oauth2" {
				t.Errorf("got %+v, want api/v1/token with x-api-version 1.1-rev0", e)
			}
		}},
		{"the profile's own header wins in any case", `[[profile]]
name = "backup"
preset = "veeam-v1"
domain = "backup.example.com"
[profile.extra_headers]
X-Api-Version = "1.2-rev1"
`, func(t *testing.T, e Profile) {
			if len(e.ExtraHeaders) != 1 || e.ExtraHeaders["X-Api-Version"] != "1.2-rev1" {
				t.Errorf("headers: got %v, want only the profile's X-Api-Version", e.ExtraHeaders)
			}
		}},
		{"pagero with its own endpoint", `[[profile]]
name = "pagero"
preset = "pagero"
client_id = "c"
token_endpoint = "http://127.0.0.1:9/oauth/v2/oauth-token"
refresh_lifetime = "26280h"
`, func(t *testing.T, e Profile) {
			if e.TokenEndpoint != "http://127.0.0.1:9/oauth/v2/oauth-token" || e.ClientAuth != "client_secret_basic" || e.Login != "import" || e.RefreshLifetime.Hours() != 26280 {
				t.Errorf("got %+v, want the profile's endpoint and the preset's client_secret_basic, import", e)
			}
		}},
		{"oracle with a key", `[[profile]]
name = "oci"
preset = "oracle-jwt"
domain = "idcs-123.identity.oraclecloud.com"
client_id = "app"
key_id = "tokentray"
private_key_file = "/keys/oci.pem"
scopes = ["openid", "offline_access"]
refresh_scope = "openid"
`, func(t *testing.T, e Profile) {
			want := []string{"https://idcs-123.identity.oraclecloud.com/oauth2/v1/token", "https://idcs-123.identity.oraclecloud.com/"}
			if !slices.Equal(e.AssertionAudience, want) || e.ClientAuth != "private_key_jwt" || e.Login != "browser" ||
				e.AuthorizationEndpoint != "https://idcs-123.identity.oraclecloud.com/oauth2/v1/authorize" {
				t.Errorf("got %+v, want Oracle's endpoints and audiences %v", e, want)
			}
		}},
		{"digirunner", `[[profile]]
name = "gw"
preset = "digirunner"
domain = "https://gw.example.com"
client_id = "tspclient"
`, func(t *testing.T, e Profile) {
			if e.TokenEndpoint != "https://gw.example.com/oauth/token" || e.ClientAuth != "digirunner" || e.Login != "import" {
				t.Errorf("got %+v, want digiRunner's endpoint, client auth and import", e)
			}
		}},
		{"no preset is unchanged", `[[profile]]
name = "work"
issuer = "https://idp.example.com"
client_id = "c"
`, func(t *testing.T, e Profile) {
			if e.ClientAuth != "" || e.Login != "" || e.TokenEndpoint != "" {
				t.Errorf("got %+v, want nothing filled", e)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Parse("c.toml", []byte(tt.doc))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			raw := c.Profiles[0]
			tt.check(t, raw.Effective())
			// The parsed profile is what the file says; only Effective fills.
			if raw.Preset != "" && (raw.Login != "" || raw.Dialect != "") {
				t.Errorf("Parse changed the profile itself: %+v", raw)
			}
		})
	}
}

func TestPresetProblemsNameLineAndKey(t *testing.T) {
	tests := []struct {
		name string
		doc  string
		want []string
	}{
		{"unknown preset", "[[profile]]\nname = \"a\"\nclient_id = \"c\"\npreset = \"okta\"\n",
			[]string{`c.toml:4: profile[0].preset: unknown preset "okta" (want digirunner, digirunner-public, oidc, oracle, oracle-jwt, pagero, veeam, veeam-v1)`}},
		{"no domain", "[[profile]]\nname = \"a\"\npreset = \"veeam\"\n",
			[]string{`c.toml:3: profile[0].preset: preset "veeam" needs domain = "https://…"`}},
		{"no api version", "[[profile]]\nname = \"a\"\npreset = \"veeam-v1\"\ndomain = \"b.example.com\"\n",
			[]string{`c.toml:3: profile[0].preset: preset "veeam-v1" needs api_version = `}},
		{"plain http domain", "[[profile]]\nname = \"a\"\npreset = \"veeam\"\n\ndomain = \"http://backup.example.com\"\n",
			[]string{`c.toml:5: profile[0].domain: "http://backup.example.com": plain http is only allowed to a loopback host`}},
		{"domain without preset", "[[profile]]\nname = \"a\"\nclient_id = \"c\"\ntoken_endpoint = \"https://x/t\"\nlogin = \"import\"\ndomain = \"x\"\n",
			[]string{`c.toml:6: profile[0].domain: is only used with a preset`}},
		{"client id still needed", "[[profile]]\nname = \"a\"\npreset = \"digirunner\"\ndomain = \"gw.example.com\"\n",
			[]string{`c.toml:1: profile[0].client_id: missing`}},
		{"client id needed without veeam", "[[profile]]\nname = \"a\"\ntoken_endpoint = \"https://x/t\"\nlogin = \"password\"\n",
			[]string{`c.toml:1: profile[0].client_id: missing`}},
		{"key id for oracle", "[[profile]]\nname = \"a\"\npreset = \"oracle-jwt\"\ndomain = \"idcs.example.com\"\nclient_id = \"c\"\n",
			[]string{`c.toml:1: profile[0].key_id: missing: preset "oracle-jwt" needs the key's id`}},
		{"audience without jwt", "[[profile]]\nname = \"a\"\nclient_id = \"c\"\nissuer = \"https://x\"\nassertion_audience = [\"https://x\"]\n",
			[]string{`c.toml:5: profile[0].assertion_audience: is only used with client_auth = "private_key_jwt"`}},
		{"key file without jwt", "[[profile]]\nname = \"a\"\nclient_id = \"c\"\nissuer = \"https://x\"\nclient_auth = \"client_secret_basic\"\nprivate_key_file = \"k.pem\"\n",
			[]string{`c.toml:6: profile[0].private_key_file: is only used with client_auth = "private_key_jwt"`}},
		{"refresh scope with veeam", "[[profile]]\nname = \"a\"\npreset = \"veeam\"\ndomain = \"b.example.com\"\nrefresh_scope = \"x\"\n",
			[]string{`c.toml:5: profile[0].refresh_scope: the veeam dialect has no scope on refresh`}},
		{"negative refresh lifetime", "[[profile]]\nname = \"a\"\nclient_id = \"c\"\nissuer = \"https://x\"\nrefresh_lifetime = \"-1h\"\n",
			[]string{`c.toml:5: profile[0].refresh_lifetime: must be positive`}},
		{"bad refresh lifetime", "[[profile]]\nname = \"a\"\nclient_id = \"c\"\nissuer = \"https://x\"\nrefresh_lifetime = \"3y\"\n",
			[]string{`c.toml:5:`, `duration`}},
		{"a secret in the file", "[[profile]]\nname = \"a\"\nclient_id = \"c\"\nissuer = \"https://x\"\nclient_secret = \"s3cr3t-value\"\n",
			[]string{`c.toml:5: profile.client_secret: a client secret does not belong in the config file`, "tokentray secret set"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Parse("c.toml", []byte(tt.doc))
			if err == nil {
				t.Fatalf("got config %+v, want an error", c)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("got %q, want it to contain %q", err, w)
				}
			}
			if strings.Contains(err.Error(), "s3cr3t-value") {
				t.Errorf("the error quotes the secret: %q", err)
			}
		})
	}
}

// TestSaveKeepsThePreset checks that a profile written back (by the
// settings window) keeps naming its preset instead of freezing its values.
func TestSaveKeepsThePreset(t *testing.T) {
	doc := "[[profile]]\nname = \"backup\"\npreset = \"veeam\"\ndomain = \"backup.example.com\"\nrefresh_lifetime = \"336h\"\n"
	c, err := Parse("c.toml", []byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "config.toml")
	if err := Save(path, c); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	for _, absent := range []string{"token_endpoint", "dialect", "client_id"} {
		if strings.Contains(string(b), absent) {
			t.Errorf("saved file has %s:\n%s", absent, b)
		}
	}
	back, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if e := back.Profiles[0].Effective(); e.TokenEndpoint != "https://backup.example.com/api/oauth2/token" || e.RefreshLifetime.Hours() != 336 {
		t.Errorf("after a round trip: got %+v", e)
	}
}
