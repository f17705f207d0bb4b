//go:build linux

package tray_test

import (
	"context"
	"errors"
	"fmt"
	"image"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tokentray/tokentray/app/apiclient"
	"github.com/tokentray/tokentray/internal/testing/testprovider"
)

// The windows copy through the agent (POST /v1/clipboard), which copies
// with the tray's clipboard owner: the token is marked secret for
// clipboard managers and cleared after clipboard_clear, whatever became of
// the process that asked.
func TestWindowsCopyThroughTheAgent(t *testing.T) {
	needDesktop(t)
	p := testprovider.Start(t, testprovider.Options{AccessTokenTTL: time.Hour})
	a, profile := loggedInAgent(t, p, "winclip", "listen = \"127.0.0.1:0\"\nclipboard_clear = \"3s\"\ntray_theme = \"dark\"\n")
	ctx := context.Background()
	waitFor(t, 15*time.Second, "the tray icon with its green badge", func() bool { _, green := trayIcon(t); return green })
	tok, err := a.client.Token(ctx, profile, 0)
	if err != nil {
		t.Fatal(err)
	}

	resp, err := a.client.CopyToClipboard(ctx, profile)
	if err != nil || !resp.Copied || resp.ClearAfter != 3 {
		t.Fatalf("copy: got %+v, %v, want copied, cleared after 3 s", resp, err)
	}
	copied := time.Now()
	waitFor(t, 5*time.Second, "the token on the clipboard", func() bool { return clipboard() == tok.AccessToken })
	if targets := run(t, "xclip", "-o", "-selection", "clipboard", "-t", "TARGETS"); !strings.Contains(targets, "x-kde-passwordManagerHint") {
		t.Errorf("the copy is not marked secret; targets: %s", targets)
	}
	waitFor(t, 10*time.Second, "the clipboard to be cleared", func() bool { return clipboard() == "" })
	if d := time.Since(copied); d < 2*time.Second {
		t.Errorf("cleared after %v, want about 3 s", d)
	}
}

// While refreshes fail and the token has expired, the copy items say so
// and are disabled (TOKENTRAY_SCREENSHOTS: tray-menu-refresh-failing.png),
// and a copy asked of the agent is refused at once with the reason.
func TestTrayMenuWhileRefreshFails(t *testing.T) {
	needDesktop(t)
	shots := os.Getenv("TOKENTRAY_SCREENSHOTS")
	p := testprovider.Start(t, testprovider.Options{AccessTokenTTL: 5 * time.Second})
	profile := uniqueName("failing")
	if shots != "" {
		profile = "work" // the test desktop has a keyring of its own
	}
	a := startAgent(t, p, fmt.Sprintf("listen = \"127.0.0.1:0\"\ntray_theme = \"dark\"\n\n[[profile]]\nname = %q\nissuer = %q\nclient_id = %q\nscopes = [\"openid\", \"offline_access\"]\n",
		profile, p.Issuer, testprovider.DefaultClientID))
	ctx := context.Background()
	if err := a.client.Login(ctx, profile, false, nil); err != nil {
		t.Fatalf("login: %v", err)
	}
	t.Cleanup(func() { a.client.Logout(context.Background(), profile) })
	tok, err := a.client.Token(ctx, profile, 0)
	if err != nil {
		t.Fatal(err)
	}
	p.Stop()
	a.client.Refresh(ctx, profile)
	waitFor(t, 30*time.Second, "the token to expire with refreshes failing", func() bool {
		st, err := a.client.Status(ctx)
		return err == nil && len(st.Profiles) == 1 && st.Profiles[0].Failures > 0 && !st.Profiles[0].ExpiresAt.After(time.Now())
	})
	waitFor(t, 15*time.Second, "the tray icon's error badge", func() bool { _, red := trayIconColour(t, isRed); return red })

	start := time.Now()
	_, err = a.client.CopyToClipboard(ctx, profile)
	var ae *apiclient.Error
	if !errors.As(err, &ae) || ae.Code != "refresh_failed" || time.Since(start) > 2*time.Second {
		t.Errorf("copy: got %v after %v, want refresh_failed at once", err, time.Since(start))
	}
	if err != nil && strings.Contains(err.Error(), tok.AccessToken) {
		t.Error("the error carries the token")
	}
	if got := clipboard(); got == tok.AccessToken {
		t.Error("the expired token is on the clipboard")
	}

	box, _ := trayIconColour(t, isRed)
	menu := openMenuBadged(t, isRed)
	if shots != "" {
		saveCrop(t, filepath.Join(shots, "tray-menu-refresh-failing.png"), image.Rect(menu.x-24, 0, box.Max.X+8, menu.y+menu.h+8))
	}
	run(t, "xdotool", "key", "Escape")
}
