package config

import (
	"errors"
	"testing"

	"github.com/pelletier/go-toml/v2"
)

// FuzzParse feeds arbitrary files to Parse (seed corpus in
// testdata/fuzz/FuzzParse). It must never panic; a refused file gives no
// config and problems that name the file; an accepted one can be saved as
// it is (Save writes toml.Marshal and checks it with Parse: a config the
// settings window loaded must never be one it cannot write back).
func FuzzParse(f *testing.F) {
	f.Add([]byte(good))
	for _, s := range []string{
		"",
		"listen = \"off\"\n",
		"listen = \"[::1]:0\"\nstore = \"file\"\nlog_level = \"debug\"\n",
		"[[profile]]\nname = \"a\"\nissuer = \"http://127.0.0.1:9400\"\nclient_id = \"c\"\nscopes = []\n",
		"[[profile]]\nname = \"v\"\ntoken_endpoint = \"https://x/t\"\nclient_id = \"c\"\nlogin = \"password\"\ndialect = \"veeam\"\ndefault_lifetime = \"15m\"\nextra_params = { a = \"b\" }\n[profile.extra_headers]\nx-api-version = \"1\"\n",
		"[[profile]]\nname = \"a\"\n[[profile]]\nname = \"a\"\n",
		"[profile]\nname = 1\n",
		"listen = \n",
		"a.b.c = 1\n[x]\ny = [1, \"2\"]\n",
		"[[profile]]\nname = \"a\"\nissuer = \"https://x\"\nclient_id = \"c\"\nredirect_port = 99999999999999999999\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		c, err := Parse("c.toml", doc)
		if err != nil {
			if c != nil {
				t.Fatal("a config and an error")
			}
			var ce *Error
			if !errors.As(err, &ce) || len(ce.Problems) == 0 {
				t.Fatalf("got %T %v, want *Error with problems", err, err)
			}
			for _, p := range ce.Problems {
				if p.File != "c.toml" || p.Msg == "" {
					t.Fatalf("problem %+v: want the file and a message", p)
				}
			}
			return
		}
		b, err := toml.Marshal(c)
		if err != nil {
			t.Fatalf("an accepted config does not marshal: %v", err)
		}
		if _, err := Parse("c.toml", b); err != nil {
			t.Fatalf("an accepted config cannot be saved back: %v\nwritten:\n%s", err, b)
		}
	})
}
