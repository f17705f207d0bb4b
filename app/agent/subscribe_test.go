package agent_test

import (
	"context"
	"os"
	"testing"
	"time"
)

// TestReloadTellsSubscribers: the tray re-reads Config after a change
// signal to pick up a new tray_theme and clipboard_clear, so a reload
// must send one, also when no profile changed.
func TestReloadTellsSubscribers(t *testing.T) {
	pa := newProfileAgent(t, "reload", "issuer = \"https://idp.example.com\"\nclient_id = \"tokentray\"\nscopes = [\"openid\"]\n")
	if got := pa.a.Config().TrayTheme; got != "" {
		t.Fatalf("tray_theme before: got %q, want unset", got)
	}
	changes, stop := pa.a.Subscribe()
	defer stop()
	drain(changes)

	old, err := os.ReadFile(pa.cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(pa.cfgPath, append([]byte("tray_theme = \"light\"\nclipboard_clear = \"5s\"\n"), old...), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := pa.cl.Reload(context.Background()); err != nil {
		t.Fatalf("reload: %v", err)
	}
	select {
	case <-changes:
	case <-time.After(5 * time.Second):
		t.Fatal("no change signal after a reload")
	}
	cfg := pa.a.Config()
	if cfg.TrayTheme != "light" || cfg.ClipboardClearAfter() != 5*time.Second {
		t.Errorf("after the reload: tray_theme %q, clipboard_clear %v, want light and 5s", cfg.TrayTheme, cfg.ClipboardClearAfter())
	}
}
