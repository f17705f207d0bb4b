package config

import (
	"strings"
	"testing"
	"time"
)

func TestDesktopKeys(t *testing.T) {
	tests := []struct {
		toml      string
		wantClear time.Duration
		wantErr   string
	}{
		{``, 30 * time.Second, ""},
		{`clipboard_clear = "45s"`, 45 * time.Second, ""},
		{`clipboard_clear = "1h"` + "\n" + `tray_theme = "dark"`, time.Hour, ""},
		{`clipboard_clear = "2h"`, 0, "c.toml:1: clipboard_clear: must be between 1s and 1h"},
		{`clipboard_clear = "10ms"`, 0, "clipboard_clear: must be between 1s and 1h"},
		{`clipboard_clear = "-1s"`, 0, "clipboard_clear: must be between"},
		{`clipboard_clear = "soon"`, 0, "clipboard_clear"},
		{`tray_theme = "purple"`, 0, "c.toml:1: tray_theme: must be auto, light or dark"},
	}
	for _, tt := range tests {
		t.Run(tt.toml, func(t *testing.T) {
			c, err := Parse("c.toml", []byte(tt.toml+"\n"))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("got %v, want an error with %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := c.ClipboardClearAfter(); got != tt.wantClear {
				t.Errorf("ClipboardClearAfter: got %v, want %v", got, tt.wantClear)
			}
		})
	}
}

func TestCheck(t *testing.T) {
	c := &Config{Profiles: []Profile{{Name: "a b", Issuer: "ftp://x", ClientID: "c"}, {Name: "ok", Issuer: "https://idp.example.com", ClientID: "c"}}}
	probs := Check(c)
	keys := map[string]bool{}
	for _, p := range probs {
		keys[p.Key] = true
		if p.File != "" || p.Line != 0 {
			t.Errorf("problem %v: want no file and line", p)
		}
	}
	for _, want := range []string{"profile[0].name", "profile[0].issuer"} {
		if !keys[want] {
			t.Errorf("Check: no problem for %s in %v", want, probs)
		}
	}
	if keys["profile[1].issuer"] || keys["profile[1].name"] {
		t.Errorf("Check: problems for the good profile: %v", probs)
	}
}
