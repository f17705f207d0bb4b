//go:build linux

package tray_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"

	"github.com/tokentray/tokentray/app/apiclient"
	"github.com/tokentray/tokentray/internal/testing/testprovider"
)

// TestTrayFollowsAReloadedConfig rewrites tray_theme and clipboard_clear
// in the config file and reloads (as the settings window's Save does):
// the icon in the panel is drawn for the new panel colour at once, and the
// next copied token is cleared after the new delay.
func TestTrayFollowsAReloadedConfig(t *testing.T) {
	needDesktop(t)
	p := testprovider.Start(t, testprovider.Options{AccessTokenTTL: time.Hour})
	profile := uniqueName("theme")
	profileTOML := fmt.Sprintf(`
[[profile]]
name = %q
issuer = %q
client_id = %q
scopes = ["openid", "offline_access"]
`, profile, p.Issuer, testprovider.DefaultClientID)
	a := startAgent(t, p, "listen = \"127.0.0.1:0\"\nclipboard_clear = \"1h\"\ntray_theme = \"light\"\n"+profileTOML)
	ctx := context.Background()
	if err := a.client.Login(ctx, profile, false, nil); err != nil {
		t.Fatalf("login: %v", err)
	}
	t.Cleanup(func() { a.client.Logout(context.Background(), profile) })
	tok, err := a.client.Token(ctx, profile, 0)
	if err != nil {
		t.Fatal(err)
	}

	// tray_theme = "light": the key is drawn dark, on our dark test panel
	// all but invisible; the green badge shows.
	waitFor(t, 15*time.Second, "the icon drawn for a light panel, with its green badge", func() bool {
		dark, ok := drawnForDarkPanel(t)
		_, green := trayIcon(t)
		return ok && !dark && green
	})

	if err := os.WriteFile(a.config, []byte("listen = \"127.0.0.1:0\"\nclipboard_clear = \"2s\"\ntray_theme = \"dark\"\n"+profileTOML), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := a.client.Reload(ctx); err != nil {
		t.Fatalf("reload: %v", err)
	}
	waitFor(t, 10*time.Second, "the icon drawn for a dark panel after the reload", func() bool {
		dark, ok := drawnForDarkPanel(t)
		return ok && dark
	})

	// Copy from the menu: cleared after 2 s now, where the hour it was
	// would outlast the wait.
	openMenu(t)
	run(t, "xdotool", "key", "Down", "Return")
	waitFor(t, 10*time.Second, "the token on the clipboard", func() bool { return clipboard() == tok.AccessToken })
	waitFor(t, 15*time.Second, "the clipboard cleared after the reloaded clipboard_clear", func() bool { return clipboard() == "" })
}

// TestTrayTellsOnceThatRefreshesFail stops the provider under a logged-in
// profile: refreshes fail (the scheduler keeps retrying) while the token
// is still valid. After TOKENTRAY_FAILING_AFTER the tray shows its error
// icon and exactly one notification says so, however many retries follow.
func TestTrayTellsOnceThatRefreshesFail(t *testing.T) {
	needDesktop(t)
	p := testprovider.Start(t, testprovider.Options{AccessTokenTTL: time.Hour})
	a, profile := loggedInAgent(t, p, "failing", "listen = \"127.0.0.1:0\"\ntray_theme = \"dark\"\n", "TOKENTRAY_FAILING_AFTER=2s")
	ctx := context.Background()
	waitFor(t, 15*time.Second, "the tray icon with its green badge", func() bool { _, green := trayIcon(t); return green })
	notices := notificationDaemon(t)

	p.Stop()
	if _, err := a.client.Refresh(ctx, profile); err == nil {
		t.Fatal("refresh with the provider stopped: got no error")
	}
	status := func() apiclient.Status {
		st, err := a.client.Status(ctx)
		if err != nil || len(st.Profiles) != 1 {
			t.Fatalf("status: %+v %v", st, err)
		}
		return st.Profiles[0]
	}
	if st := status(); st.Failures == 0 || st.LastError == "" || st.State == apiclient.LoginRequired {
		t.Fatalf("after a failed refresh: %+v, want a failing refresh of a valid token", st)
	}
	waitFor(t, 10*time.Second, "the tray icon's error badge", func() bool { _, red := trayIconColour(t, isRed); return red })
	waitFor(t, 20*time.Second, "a refreshes-failing notification", func() bool { return len(notices.all()) > 0 })

	// More failures (the scheduler's retries and ours), still the same
	// episode: no second notification.
	failures := status().Failures
	if _, err := a.client.Refresh(ctx, profile); err == nil {
		t.Fatal("refresh with the provider stopped: got no error")
	}
	waitFor(t, 10*time.Second, "another failed refresh", func() bool { return status().Failures > failures })
	time.Sleep(time.Second)

	st := status()
	got := notices.notifications()
	if len(got) != 1 {
		t.Fatalf("notifications: got %q, want one", notices.all())
	}
	n := got[0]
	if !strings.HasPrefix(n.summary, profile+": refreshes failing for ") {
		t.Errorf("summary: got %q, want %q…", n.summary, profile+": refreshes failing for ")
	}
	if want := st.LastError + "\ntokentray keeps retrying; the current token is served while it lasts."; n.body != want {
		t.Errorf("body: got %q, want %q", n.body, want)
	}
	if len(n.actions) != 0 {
		t.Errorf("buttons: got %q, want none (there is nothing to log in to)", n.actions)
	}
	if _, red := trayIconColour(t, isRed); !red {
		t.Error("the tray icon lost its error badge")
	}
	if _, err := a.client.Token(ctx, profile, 0); err != nil {
		t.Errorf("the still valid token is not served while refreshes fail: %v", err)
	}
}

// portal is a stand-in for the XDG desktop portal's Settings interface on
// the test desktop's session bus (it has none): it tells the colour scheme
// and announces changes as the real one does.
type portal struct {
	conn   *dbus.Conn
	mu     sync.Mutex // guards scheme
	scheme uint32
}

func (p *portal) ReadOne(ns, key string) (dbus.Variant, *dbus.Error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if ns != "org.freedesktop.appearance" || key != "color-scheme" {
		return dbus.Variant{}, dbus.NewError("org.freedesktop.portal.Error.NotFound", []any{"no such setting"})
	}
	return dbus.MakeVariant(p.scheme), nil
}

// set changes the scheme and emits SettingChanged.
func (p *portal) set(t *testing.T, scheme uint32) {
	p.mu.Lock()
	p.scheme = scheme
	p.mu.Unlock()
	if err := p.conn.Emit("/org/freedesktop/portal/desktop", "org.freedesktop.portal.Settings.SettingChanged", "org.freedesktop.appearance", "color-scheme", dbus.MakeVariant(scheme)); err != nil {
		t.Fatal(err)
	}
}

func startPortal(t *testing.T, scheme uint32) *portal {
	t.Helper()
	conn, err := dbus.ConnectSessionBus()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	p := &portal{conn: conn, scheme: scheme}
	if err := conn.Export(p, "/org/freedesktop/portal/desktop", "org.freedesktop.portal.Settings"); err != nil {
		t.Fatal(err)
	}
	if reply, err := conn.RequestName("org.freedesktop.portal.Desktop", dbus.NameFlagDoNotQueue); err != nil || reply != dbus.RequestNameReplyPrimaryOwner {
		t.Fatalf("owning %s: %v %v", "org.freedesktop.portal.Desktop", reply, err)
	}
	return p
}

// TestTrayFollowsTheDesktopColourScheme: with tray_theme = "auto" the icon
// is drawn for the panel the desktop's colour scheme says, and redrawn when
// the desktop switches (the portal's SettingChanged), with no reload.
func TestTrayFollowsTheDesktopColourScheme(t *testing.T) {
	needDesktop(t)
	pt := startPortal(t, 2)
	p := testprovider.Start(t, testprovider.Options{AccessTokenTTL: time.Hour})
	loggedInAgent(t, p, "scheme", "listen = \"127.0.0.1:0\"\ntray_theme = \"auto\"\n")
	waitFor(t, 15*time.Second, "the icon drawn for the light panel the desktop says", func() bool {
		dark, ok := drawnForDarkPanel(t)
		_, green := trayIcon(t)
		return ok && !dark && green
	})
	pt.set(t, 1) // 1: prefers dark; 2: prefers light
	waitFor(t, 10*time.Second, "the icon redrawn for a dark panel after the desktop switched", func() bool {
		dark, ok := drawnForDarkPanel(t)
		return ok && dark
	})
	pt.set(t, 2)
	waitFor(t, 10*time.Second, "the icon redrawn for a light panel after the desktop switched back", func() bool {
		dark, ok := drawnForDarkPanel(t)
		return ok && !dark
	})
}

// loggedInAgent starts an agent with its tray, the top-level keys top and
// one profile at p (named after prefix) with env added to its
// environment, and logs the profile in; it is logged out at the end.
func loggedInAgent(t *testing.T, p *testprovider.Provider, prefix, top string, env ...string) (*agentProc, string) {
	t.Helper()
	profile := uniqueName(prefix)
	a := startAgentEnv(t, p, top+fmt.Sprintf("\n[[profile]]\nname = %q\nissuer = %q\nclient_id = %q\nscopes = [\"openid\", \"offline_access\"]\n",
		profile, p.Issuer, testprovider.DefaultClientID), env)
	if err := a.client.Login(context.Background(), profile, false, nil); err != nil {
		t.Fatalf("login: %v", err)
	}
	t.Cleanup(func() { a.client.Logout(context.Background(), profile) })
	return a, profile
}
