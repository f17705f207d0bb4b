package config

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/pelletier/go-toml/v2"
)

// commented is a config as a person writes it: comments everywhere, keys
// in their own order, double quotes, a sub-table and dotted keys.
const commented = `# tokentray config of alice
# (edited by hand and by the settings window)

listen = "127.0.0.1:8733"   # the token API
# keep this on the keyring
store = "keyring"

# Work's identity provider.
[[profile]]
name = "work"                 # used in tokentray token work
issuer = "https://idp.example.com"
# registered as a public native client
client_id = "tokentray"
scopes = ["openid", "offline_access"]
extra_params.resource = "https://api.example.com"   # the API we call

# The backup appliance.
[[profile]]
name = "veeam"
token_endpoint = "https://backup.example.com/api/oauth2/token"
scopes = []
dialect = "veeam"
login = "password"
default_lifetime = "15m"      # Veeam tells no expiry
[profile.extra_headers]
# the appliance wants its version
x-api-version = "1.1-rev0"

# Last one.
[[profile]]
name = "ci"
issuer = "https://ci.example.com"
client_id = "ci"
scopes = ["openid"]
# end of file
`

// saveEdit writes doc to a file, loads it, changes it with f, saves it and
// returns the file's new text.
func saveEdit(t *testing.T, doc string, f func(c *Config)) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "config.toml")
	if err := os.WriteFile(path, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := Load(path)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	f(c)
	if err := Save(path, c); err != nil {
		t.Fatalf("Save: %v", err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	back, err := Load(path)
	if err != nil {
		t.Fatalf("the saved file does not load: %v\n%s", err, b)
	}
	if got, want := mustMarshal(t, back), mustMarshal(t, c); got != want {
		t.Errorf("the saved file means\n%s\nwant\n%s", got, want)
	}
	return string(b)
}

func mustMarshal(t *testing.T, c *Config) string {
	t.Helper()
	b, err := toml.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestSaveKeepsCommentsAndLayout(t *testing.T) {
	tests := []struct {
		name string
		edit func(c *Config)
		// old → new lines of commented; everything else stays byte for byte.
		replace []string
	}{
		{"nothing changes", func(*Config) {}, nil},
		{"one value, its comment stays", func(c *Config) { c.Profiles[0].Name = "office" },
			[]string{`name = "work"                 # used`, `name = 'office'                 # used`}},
		{"a value in the middle", func(c *Config) { c.Profiles[1].Login = "import" },
			[]string{`login = "password"`, `login = 'import'`}},
		{"a new key goes after the profile's last key", func(c *Config) { c.Profiles[2].RedirectPort = 8765 },
			[]string{"scopes = [\"openid\"]\n", "scopes = [\"openid\"]\nredirect_port = 8765\n"}},
		{"a key removed", func(c *Config) { c.Profiles[1].DefaultLifetime = Duration{} },
			[]string{"default_lifetime = \"15m\"      # Veeam tells no expiry\n", ""}},
		{"a dotted key", func(c *Config) { c.Profiles[0].ExtraParams["audience"] = "api" },
			[]string{`extra_params.resource = "https://api.example.com"`, `extra_params = {audience = 'api', resource = 'https://api.example.com'}`}},
		{"a sub-table becomes an inline table", func(c *Config) { c.Profiles[1].ExtraHeaders["x-api-version"] = "1.2" },
			[]string{"default_lifetime = \"15m\"      # Veeam tells no expiry\n[profile.extra_headers]\n# the appliance wants its version\nx-api-version = \"1.1-rev0\"\n",
				"default_lifetime = \"15m\"      # Veeam tells no expiry\nextra_headers = {x-api-version = '1.2'}\n# the appliance wants its version\n"}},
		{"a top-level key", func(c *Config) { c.Store = "file" },
			[]string{`store = "keyring"`, `store = 'file'`}},
		{"a new top-level key", func(c *Config) { c.TrayTheme = "dark" },
			[]string{"store = \"keyring\"\n", "store = \"keyring\"\ntray_theme = 'dark'\n"}},
		{"a profile removed, with its comment", func(c *Config) { c.Profiles = append(c.Profiles[:1:1], c.Profiles[2]) },
			[]string{"# The backup appliance.\n[[profile]]\nname = \"veeam\"\ntoken_endpoint = \"https://backup.example.com/api/oauth2/token\"\nscopes = []\ndialect = \"veeam\"\nlogin = \"password\"\ndefault_lifetime = \"15m\"      # Veeam tells no expiry\n[profile.extra_headers]\n# the appliance wants its version\nx-api-version = \"1.1-rev0\"\n\n", ""}},
		{"a profile added at the end", func(c *Config) {
			c.Profiles = append(c.Profiles, Profile{Name: "new", Issuer: "https://new.example.com", ClientID: "n", Scopes: []string{"openid"},
				ExtraHeaders: map[string]string{"X-A": "1"}})
		}, []string{"# end of file\n", "# end of file\n\n[[profile]]\nname = 'new'\nissuer = 'https://new.example.com'\nclient_id = 'n'\nscopes = ['openid']\nextra_headers = {X-A = '1'}\n"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := saveEdit(t, commented, tt.edit)
			want := commented
			for i := 0; i+1 < len(tt.replace); i += 2 {
				if !strings.Contains(want, tt.replace[i]) {
					t.Fatalf("bad test: %q is not in the document", tt.replace[i])
				}
				want = strings.Replace(want, tt.replace[i], tt.replace[i+1], 1)
			}
			if got != want {
				t.Errorf("got\n%s\nwant\n%s", got, want)
			}
		})
	}
}

func TestSaveInPlaceEdgeCases(t *testing.T) {
	t.Run("CRLF stays CRLF", func(t *testing.T) {
		doc := strings.ReplaceAll(profileDoc("# top"), "\n", "\r\n")
		got := saveEdit(t, doc, func(c *Config) { c.Profiles[0].Login = "device" })
		if want := strings.Replace(doc, "scopes = [\"openid\"]\r\n", "scopes = [\"openid\"]\r\nlogin = 'device'\r\n", 1); got != want {
			t.Errorf("got %q, want %q", got, want)
		}
	})
	t.Run("a new top-level key without any goes above the first profile's comments", func(t *testing.T) {
		doc := "# header\n\n# work\n[[profile]]\nname = \"work\"\nissuer = \"https://x.example.com\"\nclient_id = \"c\"\n"
		got := saveEdit(t, doc, func(c *Config) { c.Listen = "off" })
		if want := "# header\n\nlisten = 'off'\n\n# work\n[[profile]]\nname = \"work\"\nissuer = \"https://x.example.com\"\nclient_id = \"c\"\n"; got != want {
			t.Errorf("got\n%s\nwant\n%s", got, want)
		}
	})
	t.Run("no newline at the end", func(t *testing.T) {
		doc := "[[profile]]\nname = \"work\"\nissuer = \"https://x.example.com\"\nclient_id = \"c\""
		got := saveEdit(t, doc, func(c *Config) { c.Profiles[0].KeyID = ""; c.Profiles[0].Username = "me" })
		if want := doc + "\nusername = 'me'\n"; got != want {
			t.Errorf("got %q, want %q", got, want)
		}
	})
	t.Run("the last profile removed", func(t *testing.T) {
		got := saveEdit(t, commented, func(c *Config) { c.Profiles = c.Profiles[:2] })
		want := strings.Replace(commented, "# Last one.\n[[profile]]\nname = \"ci\"\nissuer = \"https://ci.example.com\"\nclient_id = \"ci\"\nscopes = [\"openid\"]\n", "", 1)
		if got != want {
			t.Errorf("got\n%s\nwant\n%s", got, want)
		}
	})
	t.Run("an empty file", func(t *testing.T) {
		got := saveEdit(t, "", func(c *Config) {
			c.Profiles = []Profile{{Name: "a", Issuer: "https://x.example.com", ClientID: "c", Scopes: []string{"openid"}}}
		})
		if want := "[[profile]]\nname = 'a'\nissuer = 'https://x.example.com'\nclient_id = 'c'\nscopes = ['openid']\n"; got != want {
			t.Errorf("got %q, want %q", got, want)
		}
	})
	t.Run("a comment-only file gets a top-level key, then a profile", func(t *testing.T) {
		got := saveEdit(t, "# mine\n", func(c *Config) {
			c.TrayTheme = "light"
			c.Profiles = []Profile{{Name: "a", Issuer: "https://x.example.com", ClientID: "c", Scopes: []string{"openid"}}}
		})
		if want := "# mine\ntray_theme = 'light'\n\n[[profile]]\nname = 'a'\nissuer = 'https://x.example.com'\nclient_id = 'c'\nscopes = ['openid']\n"; got != want {
			t.Errorf("got %q, want %q", got, want)
		}
	})
	t.Run("profiles as an inline array are rewritten whole", func(t *testing.T) {
		doc := "# gone\nprofile = [{name = \"a\", issuer = \"https://x.example.com\", client_id = \"c\"}]\n"
		got := saveEdit(t, doc, func(c *Config) { c.Profiles[0].ClientID = "d" })
		if strings.Contains(got, "# gone") || !strings.Contains(got, "client_id = 'd'") {
			t.Errorf("got\n%s\nwant a whole rewrite", got)
		}
	})
}

// FuzzSaveInPlace edits arbitrary accepted files in place. It must never
// panic; an unchanged config leaves the file as it is; an edited file means
// exactly the config that was saved.
func FuzzSaveInPlace(f *testing.F) {
	for _, s := range []string{commented, good, profileDoc("# top", `extra_headers = { X-A = "1" }`), "# only a comment\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		c, err := Parse("c.toml", doc)
		if err != nil {
			return
		}
		full, err := toml.Marshal(c)
		if err != nil {
			t.Fatal(err)
		}
		if out, ok := inPlace(doc, c, full); ok && strings.TrimSuffix(string(out), "\n") != strings.TrimSuffix(string(doc), "\n") &&
			strings.TrimSuffix(string(out), "\r\n") != strings.TrimSuffix(string(doc), "\r\n") {
			t.Fatalf("an unchanged config changed the file:\n%s\nto\n%s", doc, out)
		}
		c.TrayTheme = "dark"
		c.Profiles = append(c.Profiles, Profile{Name: "fuzz-new", Issuer: "https://x.example.com", ClientID: "c", ExtraParams: map[string]string{"a": "b"}})
		if len(c.Profiles) > 1 {
			p := &c.Profiles[0]
			p.Name, p.Username, p.ExtraHeaders = p.Name+"-2", "", map[string]string{"X-Fuzz": "1"}
		}
		if len(c.Profiles) > 2 {
			c.Profiles = slices.Delete(c.Profiles, 1, 2)
		}
		full, err = toml.Marshal(c)
		if err != nil {
			t.Fatal(err)
		}
		out, ok := inPlace(doc, c, full)
		if !ok {
			return
		}
		back, err := Parse("c.toml", out)
		if err != nil {
			return // the edit may make names collide; the meaning is checked below
		}
		if again, _ := toml.Marshal(back); string(again) != string(full) {
			t.Fatalf("edited file means\n%s\nwant\n%s", again, full)
		}
	})
}
