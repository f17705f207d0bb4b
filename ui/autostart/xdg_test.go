//go:build !darwin && !windows

package autostart

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestManager(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"XDG_CONFIG_HOME": filepath.Join(dir, "cfg"), "HOME": filepath.Join(dir, "home")}
	m := &Manager{Entry: Entry{Exec: "/usr/bin/tokentray"}, Getenv: func(k string) string { return env[k] }}
	want := filepath.Join(dir, "cfg", "autostart", "tokentray.desktop")
	if p, _ := m.Path(); p != want {
		t.Errorf("Path: got %s, want %s", p, want)
	}
	if m.Enabled() {
		t.Fatal("enabled before Set")
	}
	if err := m.Set(true); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(want)
	if err != nil || !strings.Contains(string(b), "Exec=/usr/bin/tokentray\n") || !m.Enabled() {
		t.Errorf("after Set(true): %q, %v, enabled %v", b, err, m.Enabled())
	}
	if err := m.Set(false); err != nil || m.Enabled() {
		t.Errorf("after Set(false): %v, enabled %v", err, m.Enabled())
	}
	if err := m.Set(false); err != nil {
		t.Errorf("Set(false) twice: %v", err)
	}
	// Without XDG_CONFIG_HOME (or a relative one, which the spec says to ignore): ~/.config.
	env["XDG_CONFIG_HOME"] = "relative"
	if p, _ := m.Path(); p != filepath.Join(dir, "home", ".config", "autostart", "tokentray.desktop") {
		t.Errorf("Path with a relative XDG_CONFIG_HOME: got %s", p)
	}
}
