package config

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/tokentray/tokentray/auth"
)

// The file accepts exactly auth's values of client_auth, dialect and
// login (and empty, the default), and names them all when refusing one.
func TestEnumsAreAuths(t *testing.T) {
	for _, tt := range []struct {
		key    string
		values []string
		set    func(p *Profile, v string)
	}{
		{"client_auth", valuesOf(auth.ClientAuths()), func(p *Profile, v string) { p.ClientAuth = v }},
		{"dialect", valuesOf(auth.Dialects()), func(p *Profile, v string) { p.Dialect = v }},
		{"login", valuesOf(auth.LoginMethods()), func(p *Profile, v string) { p.Login = v }},
	} {
		t.Run(tt.key, func(t *testing.T) {
			if len(tt.values) < 2 {
				t.Fatalf("auth lists %v", tt.values)
			}
			problemsOf := func(v string) []string {
				p := Profile{Name: "a", Issuer: "https://idp.example.com", TokenEndpoint: "https://idp.example.com/token", ClientID: "c", Scopes: []string{"openid"}}
				tt.set(&p, v)
				var out []string
				for _, pr := range Check(&Config{Profiles: []Profile{p}}) {
					if pr.Key == "profile[0]."+tt.key {
						out = append(out, pr.Msg)
					}
				}
				return out
			}
			for _, v := range append([]string{""}, tt.values...) {
				if got := problemsOf(v); len(got) > 0 {
					t.Errorf("%s = %q: got %v, want it accepted", tt.key, v, got)
				}
			}
			got := problemsOf("magic")
			if len(got) != 1 {
				t.Fatalf("%s = \"magic\": got %v, want one problem", tt.key, got)
			}
			for _, v := range tt.values {
				if !strings.Contains(got[0], v) {
					t.Errorf("%s = \"magic\": got %q, want it to name %q", tt.key, got[0], v)
				}
			}
		})
	}
}

func valuesOf[T ~string](cs []auth.Choice[T]) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = string(c.Value)
	}
	return out
}

// The README's list of the values of client_auth, dialect and login is
// auth's.
func TestReadmeNamesAuthsEnums(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for key, want := range map[string][]string{
		"client_auth": valuesOf(auth.ClientAuths()),
		"dialect":     valuesOf(auth.Dialects()),
		"login":       valuesOf(auth.LoginMethods()),
	} {
		m := regexp.MustCompile("`" + key + "` \\(([^)]*)\\)").FindSubmatch(b)
		if m == nil {
			t.Errorf("README.md does not list the values of %s as `%s` (`a`, `b`)", key, key)
			continue
		}
		var got []string
		for _, v := range regexp.MustCompile("`([^`]*)`").FindAllSubmatch(m[1], -1) {
			got = append(got, string(v[1]))
		}
		slices.Sort(got)
		want = slices.Sorted(slices.Values(want))
		if !slices.Equal(got, want) {
			t.Errorf("README's %s values: got %v, want %v", key, got, want)
		}
	}
}
