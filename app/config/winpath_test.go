package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A Windows path typed in the settings window is written so that it reads
// back the same (go-toml writes it 'literal'), and kept so by an in-place
// edit of an existing file.
func TestSaveWritesWindowsPaths(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.toml")
	if err := os.WriteFile(path, []byte("# mine\n[[profile]]\nname = \"a\"\nissuer = \"https://idp.example.com\"\nclient_id = \"c\"\nscopes = []\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{`C:\Users\me\key.pem`, `C:\temp\new\it's.pem`, `\\server\share\key.pem`} {
		c := &Config{Profiles: []Profile{{Name: "a", Issuer: "https://idp.example.com", ClientID: "c", Scopes: []string{},
			ClientAuth: "private_key_jwt", PrivateKeyFile: key}}}
		if err := Save(path, c); err != nil {
			t.Fatalf("Save %s: %v", key, err)
		}
		back, err := Load(path)
		if err != nil {
			t.Fatalf("Load after saving %s: %v", key, err)
		}
		if got := back.Profiles[0].PrivateKeyFile; got != key {
			b, _ := os.ReadFile(path)
			t.Errorf("private_key_file: got %q, want %q; file:\n%s", got, key, b)
		}
	}
}

// A Windows path hand-written in "double quotes" is refused with the way
// to write it, whether its escapes are invalid (\U, \k) or, worse, valid
// (\t, \n) and the path silently holds a tab.
func TestWindowsPathInDoubleQuotes(t *testing.T) {
	for _, tt := range []struct{ name, value, key string }{
		{"invalid escape", `"C:\Users\me\key.pem"`, "private_key_file"},
		{"another invalid escape", `"C:\keys\key.pem"`, "private_key_file"},
		{"escapes that decode", `"C:\temp\new.pem"`, "private_key_file"},
		{"a CA file", `"C:\temp\ca.pem"`, "ca_file"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			doc := "[[profile]]\nname = \"a\"\nissuer = \"https://idp.example.com\"\nclient_id = \"c\"\nscopes = []\nclient_auth = \"private_key_jwt\"\n" +
				tt.key + " = " + tt.value + "\n"
			_, err := Parse("c.toml", []byte(doc))
			if err == nil {
				t.Fatal("got no error, want the double-quoted Windows path refused")
			}
			for _, want := range []string{"c.toml:7", "single quotes", `'C:\Users\me\key.pem'`} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("got %q, want it to contain %q", err, want)
				}
			}
		})
	}
}
