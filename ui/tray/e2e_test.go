//go:build linux

package tray_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"

	"github.com/tokentray/tokentray/app/apiclient"
	"github.com/tokentray/tokentray/app/rundir"
	"github.com/tokentray/tokentray/internal/testing/testbuild"
	"github.com/tokentray/tokentray/internal/testing/testprovider"
)

// These tests drive the real binary on a real desktop: Xvfb, a D-Bus
// session, gnome-keyring and the StatusNotifier host gtk-sni-tray-standalone
// (scripts/with-desktop.sh). They click the tray icon and the menu with
// xdotool and read the clipboard with xclip. With TOKENTRAY_SCREENSHOTS set
// to a directory they also leave screenshots there (make screenshots).

func needDesktop(t *testing.T) {
	t.Helper()
	if os.Getenv("TOKENTRAY_IN_DESKTOP") == "" {
		t.Skip("needs the test desktop: run under scripts/with-desktop.sh (make test does)")
	}
	for _, tool := range []string{"xdotool", "xclip", "import", "dbus-run-session", "secret-tool"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is needed (make deps installs it): %v", tool, err)
		}
	}
}

// binaries builds tokentray's three programs and the scripted browser
// once per test binary.
func binaries(t *testing.T) (tokentray, browser string) {
	t.Helper()
	dir := testbuild.Programs(t, testbuild.Front, testbuild.Agent, testbuild.UI, testbuild.ScriptedBrowse)
	return filepath.Join(dir, "tokentray"), filepath.Join(dir, "scripted-browser")
}

func TestMain(m *testing.M) {
	code := m.Run()
	testbuild.RemoveAll()
	os.Exit(code)
}

// agentProc is a tokentray agent with its tray, as a user starts it.
type agentProc struct {
	cmd    *exec.Cmd
	log    *testprovider.SyncBuffer
	socket string
	config string // the config file's path
	client *apiclient.Client
	env    []string
}

func startAgent(t *testing.T, p *testprovider.Provider, config string, wrap ...string) *agentProc {
	t.Helper()
	return startAgentEnv(t, p, config, nil, wrap...)
}

// startAgentEnv is startAgent with more environment variables (NAME=value).
func startAgentEnv(t *testing.T, p *testprovider.Provider, config string, env []string, wrap ...string) *agentProc {
	t.Helper()
	tokentray, browser := binaries(t)
	dir := t.TempDir()
	cfg := filepath.Join(dir, "config.toml")
	if err := os.WriteFile(cfg, []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	run := filepath.Join(dir, "run")
	a := &agentProc{log: &testprovider.SyncBuffer{}, socket: rundir.Socket(run), config: cfg}
	// XDG_RUNTIME_DIR: a user session of its own (the keyring's one-agent
	// lock is per user).
	a.env = append(os.Environ(), "TOKENTRAY_CONFIG="+cfg, "TOKENTRAY_RUNTIME_DIR="+run, "BROWSER="+browser, "XDG_RUNTIME_DIR="+filepath.Join(dir, "session"))
	if err := os.Mkdir(filepath.Join(dir, "session"), 0o700); err != nil {
		t.Fatal(err)
	}
	a.env = append(a.env, env...)
	if p != nil {
		a.env = append(a.env, "DEMO_ISSUER="+p.Issuer)
	}
	argv := append(wrap, tokentray)
	a.cmd = exec.Command(argv[0], argv[1:]...)
	a.cmd.Env = a.env
	a.cmd.Stdout, a.cmd.Stderr = a.log, a.log
	a.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := a.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		syscall.Kill(-a.cmd.Process.Pid, syscall.SIGTERM)
		done := make(chan struct{})
		go func() { a.cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			syscall.Kill(-a.cmd.Process.Pid, syscall.SIGKILL)
			<-done
		}
		if t.Failed() {
			t.Logf("agent output:\n%s", a.log)
		}
	})
	a.client = apiclient.NewClient(a.socket)
	waitFor(t, 15*time.Second, "the agent's socket", func() bool {
		_, err := a.client.Status(context.Background())
		return err == nil
	})
	return a
}

func waitFor(t *testing.T, d time.Duration, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("waited %v for %s", d, what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func run(t *testing.T, name string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, name, args...).Output()
	if err != nil {
		t.Fatalf("%s %s: %v", name, strings.Join(args, " "), err)
	}
	return strings.TrimSpace(string(out))
}

func clipboard() string {
	out, err := exec.Command("xclip", "-o", "-selection", "clipboard").Output()
	if err != nil {
		return ""
	}
	return string(out)
}

func screenshot(t *testing.T, window string) image.Image {
	t.Helper()
	out, err := exec.Command("import", "-window", window, "png:-").Output()
	if err != nil {
		t.Fatalf("import -window %s: %v", window, err)
	}
	img, err := png.Decode(bytes.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	return img
}

type geometry struct{ x, y, w, h int }

// windows lists the visible windows whose name matches, with geometry.
func windows(t *testing.T, name string) map[string]geometry {
	out, _ := exec.Command("xdotool", "search", "--onlyvisible", "--name", name).Output()
	found := map[string]geometry{}
	for _, id := range strings.Fields(string(out)) {
		g, err := exec.Command("xdotool", "getwindowgeometry", "--shell", id).Output()
		if err != nil {
			continue
		}
		v := map[string]int{}
		for _, line := range strings.Fields(string(g)) {
			k, val, _ := strings.Cut(line, "=")
			n, _ := strconv.Atoi(val)
			v[k] = n
		}
		found[id] = geometry{v["X"], v["Y"], v["WIDTH"], v["HEIGHT"]}
	}
	return found
}

func isGreen(r, g, b uint32) bool { return g > 120 && r < 90 && b < 120 }
func isAmber(r, g, b uint32) bool { return r > 200 && g > 120 && g < 200 && b < 80 }

// trayIcon finds our icon in the tray host's panel: the bounding box of
// the bright pixels (the dark-panel icon is drawn light) and whether the
// green "ok" badge is in it.
func trayIcon(t *testing.T) (box image.Rectangle, green bool) { return trayIconColour(t, isGreen) }

// trayIconColour is trayIcon for any badge colour.
func trayIconColour(t *testing.T, colour func(r, g, b uint32) bool) (box image.Rectangle, found bool) {
	box, _, n := trayPixels(t, colour)
	return box, n > 0
}

func isRed(r, g, b uint32) bool { return r > 180 && g < 90 && b < 90 }

// isWhite is the key of the icon drawn for a dark panel (the one for a
// light panel draws it near black; white is then only the badge's mark).
func isWhite(r, g, b uint32) bool { return r > 220 && g > 220 && b > 220 }

// drawnForDarkPanel tells from the key's pixels which icon the panel
// shows: for a dark panel (about 160 white pixels at 32 px) or for a
// light one (a few dozen, the badge's mark); ok is false in between.
func drawnForDarkPanel(t *testing.T) (dark, ok bool) {
	_, _, n := trayPixels(t, isWhite)
	switch {
	case n > 110:
		return true, true
	case n > 0 && n < 60:
		return false, true
	}
	return false, false
}

// trayPixels looks at the tray host's panel: the bounding box of the
// bright pixels (our icon: the dark-panel icon is drawn light; the panel
// is dark), and the bounding box and number of the pixels of the colour.
func trayPixels(t *testing.T, colour func(r, g, b uint32) bool) (box, coloured image.Rectangle, n int) {
	var panel string
	var pg geometry
	for id, g := range windows(t, "gtk-sni-tray-standalone") {
		if g.w > 200 {
			panel, pg = id, g
		}
	}
	if panel == "" {
		return image.Rectangle{}, image.Rectangle{}, 0
	}
	img := screenshot(t, "root")
	for y := pg.y; y < pg.y+pg.h; y++ {
		for x := pg.x; x < pg.x+pg.w; x++ {
			r, g, b, _ := img.At(x, y).RGBA()
			px := image.Rect(x, y, x+1, y+1)
			if r>>8 > 90 || g>>8 > 90 || b>>8 > 90 {
				box = box.Union(px)
			}
			if colour(r>>8, g>>8, b>>8) {
				coloured = coloured.Union(px)
				n++
			}
		}
	}
	return box, coloured, n
}

// notifier is a notification daemon on the test desktop's session bus
// (it has none): it records the notifications it is asked to show, and
// clicks their buttons.
type notifier struct {
	conn  *dbus.Conn
	mu    sync.Mutex // guards shown
	shown []notification
}

// notification is one Notify call; its id is its index + 1.
type notification struct {
	summary, body string
	actions       []string // key, label, key, label, …
}

func (n *notifier) Notify(app string, replaces uint32, icon, summary, body string, actions []string, hints map[string]dbus.Variant, timeout int32) (uint32, *dbus.Error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.shown = append(n.shown, notification{summary, body, actions})
	return uint32(len(n.shown)), nil
}

// all returns the summaries shown so far.
func (n *notifier) all() []string {
	var out []string
	for _, s := range n.notifications() {
		out = append(out, s.summary)
	}
	return out
}

func (n *notifier) notifications() []notification {
	n.mu.Lock()
	defer n.mu.Unlock()
	return append([]notification(nil), n.shown...)
}

// click says the user clicked the button key of notification id, as a
// notification daemon does.
func (n *notifier) click(t *testing.T, id uint32, key string) {
	t.Helper()
	if err := n.conn.Emit("/org/freedesktop/Notifications", "org.freedesktop.Notifications.ActionInvoked", id, key); err != nil {
		t.Fatal(err)
	}
}

func notificationDaemon(t *testing.T) *notifier {
	t.Helper()
	conn, err := dbus.ConnectSessionBus()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	n := &notifier{conn: conn}
	if err := conn.Export(n, "/org/freedesktop/Notifications", "org.freedesktop.Notifications"); err != nil {
		t.Fatal(err)
	}
	if reply, err := conn.RequestName("org.freedesktop.Notifications", dbus.NameFlagDoNotQueue); err != nil || reply != dbus.RequestNameReplyPrimaryOwner {
		t.Fatalf("owning org.freedesktop.Notifications: %v %v", reply, err)
	}
	return n
}

// storedRefreshToken reads the agent's keyring item with secret-tool.
func storedRefreshToken(t *testing.T, profile string) string {
	t.Helper()
	out := run(t, "secret-tool", "lookup", "service", "tokentray", "username", profile)
	var rec struct {
		RefreshToken string `json:"refresh_token"`
	}
	if err := json.Unmarshal([]byte(out), &rec); err != nil || rec.RefreshToken == "" {
		t.Fatalf("the keyring item of %s is not a record with a refresh token (%v)", profile, err)
	}
	return rec.RefreshToken
}

func uniqueName(prefix string) string {
	b := make([]byte, 4)
	rand.Read(b)
	return prefix + "-" + hex.EncodeToString(b)
}

func TestTrayCopiesTheTokenAndClearsIt(t *testing.T) {
	needDesktop(t)
	shots := os.Getenv("TOKENTRAY_SCREENSHOTS")
	p := testprovider.Start(t, testprovider.Options{AccessTokenTTL: time.Hour, JWTAccessTokens: true})
	profile := uniqueName("work")
	if shots != "" {
		profile = "work" // the test desktop has a keyring of its own
	}
	a := startAgent(t, p, fmt.Sprintf(`listen = "127.0.0.1:0"
clipboard_clear = "3s"
tray_theme = "dark"

[[profile]]
name = %q
issuer = %q
client_id = %q
scopes = ["openid", "offline_access", "api:read"]
`, profile, p.Issuer, testprovider.DefaultClientID))
	ctx := context.Background()
	if err := a.client.Login(ctx, profile, false, nil); err != nil {
		t.Fatalf("login: %v", err)
	}
	t.Cleanup(func() { a.client.Logout(context.Background(), profile) })
	tok, err := a.client.Token(ctx, profile, 0)
	if err != nil {
		t.Fatal(err)
	}

	// The icon appears in the panel and shows "all good" (the green badge).
	var box image.Rectangle
	waitFor(t, 15*time.Second, "the tray icon with its green badge", func() bool {
		b, green := trayIcon(t)
		box = b
		return !b.Empty() && green
	})

	// Clicking it opens the menu.
	menu := openMenu(t)
	if shots != "" {
		saveCrop(t, filepath.Join(shots, "tray-menu.png"), image.Rect(menu.x-24, 0, box.Max.X+8, menu.y+menu.h+8))
	}

	// The first item that can be chosen is "Copy access token".
	run(t, "xdotool", "key", "Down", "Return")
	waitFor(t, 10*time.Second, "the token on the clipboard", func() bool { return clipboard() == tok.AccessToken })
	targets := run(t, "xclip", "-o", "-selection", "clipboard", "-t", "TARGETS")
	if !strings.Contains(targets, "x-kde-passwordManagerHint") {
		t.Errorf("the clipboard does not mark the token secret; targets: %s", targets)
	}
	copied := time.Now()

	// And gone after the clear delay (3 s), not long before.
	waitFor(t, 10*time.Second, "the clipboard to be cleared", func() bool { return clipboard() == "" })
	if d := time.Since(copied); d < 2*time.Second {
		t.Errorf("cleared after %v, want about 3 s", d)
	}
	if strings.Contains(a.log.String(), tok.AccessToken) {
		t.Error("the access token is in the agent's output")
	}

	// The windows open, in their own process, on the real driver.
	windowShot(t, a, shots, "settings.png", "tokentray settings", "settings")
	windowShot(t, a, shots, "token-details.png", "token details", "details", profile)

	// The provider ends the grant (the refresh token is used elsewhere, and
	// node-oidc-provider revokes a grant whose rotated token comes back):
	// the profile needs a login, the icon says so, and one notification
	// says so, not one per state change.
	notices := notificationDaemon(t)
	rt := storedRefreshToken(t, profile)
	if code, _, err := p.RefreshDirect(testprovider.DefaultClientID, rt); err != nil || code != 200 {
		t.Fatalf("refreshing behind the agent's back: %d %v", code, err)
	}
	if _, err := a.client.Refresh(ctx, profile); err == nil {
		t.Fatal("refresh with a stale refresh token: got no error")
	}
	waitFor(t, 10*time.Second, "a login-required notification", func() bool { return len(notices.all()) > 0 })
	waitFor(t, 10*time.Second, "the tray icon's login badge", func() bool { _, amber := trayIconColour(t, isAmber); return amber })
	a.client.Refresh(ctx, profile) // more state changes, still the same episode
	time.Sleep(time.Second)
	got := notices.notifications()
	if len(got) != 1 || !strings.Contains(got[0].summary, profile+": login required") {
		t.Fatalf("notifications: got %q, want one saying %s needs a login", notices.all(), profile)
	}

	// Its Log in… button opens the login window, which logs in (through
	// the scripted browser, as BROWSER says): the profile is well again.
	if want := []string{"login", "Log in…"}; !slices.Equal(got[0].actions, want) {
		t.Fatalf("the notification's buttons: got %q, want %q", got[0].actions, want)
	}
	notices.click(t, 1, "login")
	waitFor(t, 20*time.Second, "the login from the notification's button", func() bool {
		st, err := a.client.Status(ctx)
		return err == nil && len(st.Profiles) == 1 && st.Profiles[0].State == apiclient.Valid
	})
	waitFor(t, 15*time.Second, "the tray icon's green badge again", func() bool { _, green := trayIcon(t); return green })
}

// openMenu clicks the tray icon (in box) and returns the menu's geometry.
// openMenu clicks the icon with the green badge and returns the menu's
// geometry. It aims at the badge, not at the middle of the bright pixels:
// an ended test's icon can linger in the panel a moment, and the middle of
// two icons is neither. A click that opens nothing is tried again.
func openMenu(t *testing.T) geometry {
	t.Helper()
	return openMenuBadged(t, isGreen)
}

// openMenuBadged is openMenu for the icon with a badge of another colour.
func openMenuBadged(t *testing.T, colour func(r, g, b uint32) bool) geometry {
	t.Helper()
	for try := 1; ; try++ {
		before := windows(t, "gtk-sni-tray-standalone")
		_, badge, _ := trayPixels(t, colour)
		if badge.Empty() {
			t.Fatal("no icon with the expected badge in the panel")
		}
		c := badge.Min.Add(badge.Max).Div(2)
		run(t, "xdotool", "mousemove", strconv.Itoa(c.X), strconv.Itoa(c.Y), "click", "1")
		var menu geometry
		opened := false
		deadline := time.Now().Add(4 * time.Second)
		for !opened && time.Now().Before(deadline) {
			for id, g := range windows(t, "gtk-sni-tray-standalone") {
				if _, old := before[id]; !old && g.h > 100 {
					menu, opened = g, true
				}
			}
			if !opened {
				time.Sleep(100 * time.Millisecond)
			}
		}
		if opened {
			time.Sleep(300 * time.Millisecond) // let it draw
			// The pointer leaves the icon (the menu stays open for the
			// keys): a tooltip over the icon would hide its badge from the
			// next look.
			run(t, "xdotool", "mousemove", "10", "300")
			return menu
		}
		if try == 3 {
			t.Fatalf("no tray menu after %d clicks on the icon", try)
		}
		run(t, "xdotool", "key", "Escape") // whatever the click did open
	}
}

func saveCrop(t *testing.T, path string, r image.Rectangle) {
	t.Helper()
	img := screenshot(t, "root")
	r = r.Intersect(img.Bounds())
	sub := img.(interface {
		SubImage(image.Rectangle) image.Image
	}).SubImage(r)
	var b bytes.Buffer
	if err := png.Encode(&b, sub); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// windowShot opens a window with `tokentray ui`, waits for it and, when
// dir is set, saves a screenshot of it.
func windowShot(t *testing.T, a *agentProc, dir, file, title string, args ...string) {
	t.Helper()
	tokentray, _ := binaries(t)
	cmd := exec.Command(tokentray, append([]string{"ui"}, args...)...)
	cmd.Env = a.env
	var out testprovider.SyncBuffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		cmd.Process.Signal(syscall.SIGTERM)
		exited := make(chan struct{})
		go func() { cmd.Wait(); close(exited) }()
		select {
		case <-exited:
		case <-time.After(15 * time.Second):
			cmd.Process.Kill()
			<-exited
			t.Errorf("ui %s did not end within 15 s of SIGTERM", args[0])
		}
		if s := "\n" + out.String(); strings.Contains(s, "panic") || strings.Contains(s, "\ntokentray: ") || strings.Contains(s, "Fyne error") {
			t.Errorf("ui %s:\n%s", args[0], s)
		}
	}()
	var id string
	waitFor(t, 15*time.Second, "the "+title+" window", func() bool {
		for w := range windows(t, title) {
			id = w
			return true
		}
		return false
	})
	if dir == "" {
		return
	}
	time.Sleep(1500 * time.Millisecond) // fonts and the first frame
	img := screenshot(t, id)
	var b bytes.Buffer
	png.Encode(&b, img)
	if err := os.WriteFile(filepath.Join(dir, file), b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestNoTrayHostOpensTheStatusWindow runs the agent on a session bus of
// its own, where no StatusNotifier host listens: it must say so and open
// the status window, and close it when it quits.
func TestNoTrayHostOpensTheStatusWindow(t *testing.T) {
	needDesktop(t)
	a := startAgent(t, nil, `listen = "127.0.0.1:0"
store = "file"

[[profile]]
name = "offline"
issuer = "https://idp.example.com"
client_id = "tokentray"
scopes = ["openid"]
`, "dbus-run-session", "--")
	st, err := a.client.Status(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	// The status window belongs to a child of the agent: `tokentray ui status`.
	ours := func() bool {
		for id := range windows(t, "^tokentray$") {
			pid, err := exec.Command("xdotool", "getwindowpid", id).Output()
			if err != nil {
				continue
			}
			stat, _ := os.ReadFile("/proc/" + strings.TrimSpace(string(pid)) + "/stat")
			if f := strings.Fields(string(stat)); len(f) > 3 && f[3] == strconv.Itoa(st.Agent.PID) {
				return true
			}
		}
		return false
	}
	waitFor(t, 15*time.Second, "the status window", ours)
	if !strings.Contains(a.log.String(), "no system tray") {
		t.Errorf("the agent did not say why there is no icon:\n%s", a.log)
	}
	syscall.Kill(st.Agent.PID, syscall.SIGTERM)
	waitFor(t, 15*time.Second, "the status window to close with the agent", func() bool { return !ours() })
}
