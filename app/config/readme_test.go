package config

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestReadmeProfilesParse keeps the profiles the README's Providers
// section tells people to copy valid.
func TestReadmeProfilesParse(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(b)
	start := strings.Index(readme, "\n## Providers\n")
	if start < 0 {
		t.Fatal("README.md has no Providers section")
	}
	section := readme[start+1:]
	if end := strings.Index(section, "\n## "); end > 0 {
		section = section[:end]
	}
	blocks := regexp.MustCompile("(?s)```toml\n(.*?)```").FindAllStringSubmatch(section, -1)
	if len(blocks) < 7 {
		t.Fatalf("got %d profiles in the Providers section, want one per preset and more", len(blocks))
	}
	presets := map[string]bool{}
	for _, m := range blocks {
		c, err := Parse("README.md", []byte(m[1]))
		if err != nil {
			t.Errorf("%v\n%s", err, m[1])
			continue
		}
		presets[c.Profiles[0].Preset] = true
	}
	for _, want := range []string{"digirunner", "veeam", "veeam-v1", "pagero", "oracle", "oracle-jwt", "oidc"} {
		if !presets[want] {
			t.Errorf("no README profile uses preset %q", want)
		}
	}
}
