package tray

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tokentray/tokentray/app/apiclient"
	"github.com/tokentray/tokentray/ui/model"
	"github.com/tokentray/tokentray/ui/notify"
)

// The tray's menu logic without a tray host: fyne.io/systray keeps its
// menu in memory and only skips the D-Bus signals when it has no
// connection, so render and click run as they do in the agent.

type events struct {
	mu sync.Mutex // guards list
	ch chan string
	l  []string
}

func newEvents() *events { return &events{ch: make(chan string, 32)} }

func (e *events) add(s string) {
	e.mu.Lock()
	e.l = append(e.l, s)
	e.mu.Unlock()
	e.ch <- s
}

func (e *events) next(t *testing.T) string {
	t.Helper()
	select {
	case s := <-e.ch:
		return s
	case <-time.After(5 * time.Second):
		t.Fatal("no event within 5 s")
		return ""
	}
}

func (e *events) all() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]string(nil), e.l...)
}

type fakes struct {
	ev         *events
	mu         sync.Mutex // guards status and refreshErr
	status     apiclient.StatusResponse
	refreshErr error
	autostart  bool
	actions    []string // of the last notification
	tokenErr   error    // guarded by mu
	tokenCalls int      // guarded by mu
	notifyErr  error    // guarded by mu
}

func (f *fakes) Status(context.Context) (apiclient.StatusResponse, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.status, nil
}
func (f *fakes) Token(_ context.Context, p string, _ time.Duration) (apiclient.TokenResponse, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.tokenCalls++
	if f.tokenErr != nil {
		return apiclient.TokenResponse{}, f.tokenErr
	}
	return apiclient.TokenResponse{AccessToken: "tok-" + p, TokenType: "Bearer"}, nil
}
func (f *fakes) Refresh(_ context.Context, p string) (apiclient.Status, error) {
	f.mu.Lock()
	err := f.refreshErr
	f.mu.Unlock()
	f.ev.add("refresh " + p)
	return apiclient.Status{}, err
}
func (f *fakes) Logout(_ context.Context, p string) (apiclient.LogoutResult, error) {
	f.ev.add("logout " + p)
	return apiclient.LogoutResult{Revoked: true}, nil
}
func (f *fakes) Open(args ...string) error { f.ev.add("open " + strings.Join(args, " ")); return nil }
func (f *fakes) Copy(s string) error       { f.ev.add("copy " + s); return nil }
func (f *fakes) CopyPlain(s string) error  { f.ev.add("plain " + s); return nil }
func (f *fakes) ClearNow()                 { f.ev.add("clear") }
func (f *fakes) Notify(summary, body string, acts ...notify.Action) (uint32, error) {
	f.mu.Lock()
	f.actions = nil
	for _, a := range acts {
		f.actions = append(f.actions, a.Key)
	}
	err := f.notifyErr
	f.mu.Unlock()
	if err != nil {
		return 0, err
	}
	f.ev.add("notify " + summary)
	return 1, nil
}
func (f *fakes) Supported() bool   { return true }
func (f *fakes) Enabled() bool     { return f.autostart }
func (f *fakes) Set(on bool) error { f.autostart = on; f.ev.add("autostart"); return nil }

func (f *fakes) set(ps ...apiclient.Status) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.status = apiclient.StatusResponse{Agent: apiclient.AgentInfo{Listen: "127.0.0.1:8733"}, Profiles: ps}
}

func newTray(t *testing.T) (*Tray, *fakes) {
	f := &fakes{ev: newEvents()}
	now := time.Date(2026, 11, 21, 15, 0, 0, 0, time.UTC)
	tr := New(Options{API: f, Windows: f, Clipboard: f, Notifier: f, Autostart: f, Now: func() time.Time { return now }})
	return tr, f
}

func valid(name string) apiclient.Status {
	return apiclient.Status{Profile: name, State: apiclient.Valid, ExpiresAt: time.Date(2026, 11, 21, 15, 42, 0, 0, time.UTC)}
}

func TestTrayRendersAndUpdatesInPlace(t *testing.T) {
	tr, f := newTray(t)
	ctx := context.Background()
	f.set(valid("work"))
	tr.redraw(ctx)
	if tr.icon != model.IconOK {
		t.Errorf("icon: got %q, want ok", tr.icon)
	}
	status := tr.items["status/work"]
	copyItem := tr.items["copy-token/work"]
	if status == nil || copyItem == nil || copyItem.Disabled() {
		t.Fatalf("items after the first draw: %v", tr.items)
	}
	if got := tr.rendered["status/work"].Title; got != "work: valid for 42 min" {
		t.Errorf("status line: got %q", got)
	}

	// A state change updates the same items.
	f.set(apiclient.Status{Profile: "work", State: apiclient.LoginRequired})
	tr.redraw(ctx)
	if tr.items["status/work"] != status || tr.items["copy-token/work"] != copyItem {
		t.Error("a state change rebuilt the menu instead of updating it")
	}
	if !copyItem.Disabled() || tr.icon != model.IconLogin {
		t.Errorf("login required: copy enabled %v, icon %q", !copyItem.Disabled(), tr.icon)
	}
	if got := f.ev.next(t); got != "notify work: login required" {
		t.Errorf("got %q, want the login notice", got)
	}
	tr.redraw(ctx)
	tr.redraw(ctx)

	// A new profile rebuilds it, with a submenu each.
	f.set(valid("work"), valid("ci"))
	tr.redraw(ctx)
	if tr.items["status/work"] != nil || tr.items["profile/ci"] == nil || tr.items["copy-token/ci"] == nil {
		t.Errorf("two profiles: items %v", tr.items)
	}
	if n := len(f.ev.all()); n != 1 {
		t.Errorf("events: %v, want the one notice only", f.ev.all())
	}
}

func TestTrayClicks(t *testing.T) {
	tr, f := newTray(t)
	ctx := context.Background()
	f.set(valid("work"))
	tr.redraw(ctx)
	tests := []struct {
		key  string
		want []string
	}{
		{"copy-token/work", []string{"copy tok-work"}},
		{"copy-bearer/work", []string{"copy Authorization: Bearer tok-work"}},
		{"details/work", []string{"open details work"}},
		{"login/work", []string{"open login work"}},
		{"settings", []string{"open settings"}},
		{"about", []string{"open about"}},
		{"refresh/work", []string{"refresh work"}},
		{"logout/work", []string{"logout work"}},
		{"api", []string{"plain curl -s -H 'Accept: text/plain' http://127.0.0.1:8733/v1/token/work"}},
		{"autostart", []string{"autostart"}},
	}
	for _, tt := range tests {
		tr.click(ctx, tt.key)
		for _, w := range tt.want {
			if got := f.ev.next(t); got != w {
				t.Errorf("click %s: got %q, want %q", tt.key, got, w)
			}
		}
	}
	if !tr.rendered["autostart"].Checked {
		t.Error("Start at login is not checked after turning it on")
	}

	// A failing refresh is told.
	f.mu.Lock()
	f.refreshErr = errors.New("the provider is down")
	f.mu.Unlock()
	tr.click(ctx, "refresh/work")
	f.ev.next(t)
	if got := f.ev.next(t); got != "notify work: refresh failed" {
		t.Errorf("got %q", got)
	}
	f.mu.Lock()
	if len(f.actions) != 0 {
		t.Errorf("a provider that is down: got actions %v, want none", f.actions)
	}
	// A refresh that only a new login can fix offers the login, by the
	// agent's error code.
	f.refreshErr = &apiclient.Error{Status: 401, Code: apiclient.CodeLoginRequired, Message: "profile \"work\" needs a new login"}
	f.mu.Unlock()
	tr.click(ctx, "refresh/work")
	f.ev.next(t)
	if got := f.ev.next(t); got != "notify work: refresh failed" {
		t.Errorf("got %q", got)
	}
	f.mu.Lock()
	if got := strings.Join(f.actions, " "); got != "login" {
		t.Errorf("login required: got actions %q, want login", got)
	}
	f.mu.Unlock()

	// Disabled items do nothing.
	f.set(apiclient.Status{Profile: "work", State: apiclient.LoggedOut})
	tr.redraw(ctx)
	tr.click(ctx, "copy-token/work")
	tr.click(ctx, "quit")
	if got := f.ev.next(t); got != "clear" {
		t.Errorf("quit: got %q, want the clipboard cleared first", got)
	}
	select {
	case <-tr.quit:
	default:
		t.Error("quit did not end the tray")
	}
}

// Copying while refreshes fail used to wait ~33 s on the agent, then fail
// in a notification only: nothing visible without a notification daemon,
// and the item stayed enabled.
func TestTrayCopyWhileRefreshFails(t *testing.T) {
	tr, f := newTray(t)
	ctx := context.Background()
	failing := apiclient.Status{Profile: "work", State: apiclient.Expired, Failures: 3, LastError: "provider unreachable",
		ExpiresAt: time.Date(2026, 11, 21, 14, 0, 0, 0, time.UTC)}

	// The menu drawn while the token was good; refreshes fail since.
	f.set(valid("work"))
	tr.redraw(ctx)
	f.set(failing)
	tr.click(ctx, "copy-token/work")
	if got := f.ev.next(t); got != "notify work: nothing copied: refresh failing" {
		t.Errorf("got %q, want the refusal told at once", got)
	}
	f.mu.Lock()
	calls := f.tokenCalls
	f.mu.Unlock()
	if calls != 0 {
		t.Errorf("token reads: got %d, want 0 (a copy that cannot happen must not wait on the agent)", calls)
	}
	for key, want := range map[string]string{"copy-token/work": "Copy access token — refresh failing", "notice": "⚠ work: nothing copied: refresh failing"} {
		it := tr.rendered[key]
		if it.Title != want || tr.items[key] == nil || !tr.items[key].Disabled() {
			t.Errorf("%s: got %q (disabled %v), want %q, disabled", key, it.Title, tr.items[key] != nil && tr.items[key].Disabled(), want)
		}
	}
	if !strings.Contains(tr.tooltip, "work: nothing copied: refresh failing") {
		t.Errorf("tooltip: got %q, want the notice", tr.tooltip)
	}

	// Without a notification daemon the status window opens instead.
	f.mu.Lock()
	f.notifyErr = errors.New("org.freedesktop.Notifications was not provided by any .service files")
	f.mu.Unlock()
	tr.tell(ctx, message{summary: "work: nothing copied: refresh failing"})
	if got := f.ev.next(t); got != "open status" {
		t.Errorf("got %q, want the status window", got)
	}

	// The notice goes after a minute.
	now := tr.o.Now().Add(noticeFor)
	tr.o.Now = func() time.Time { return now }
	tr.redraw(ctx)
	if _, ok := tr.rendered["notice"]; ok || strings.Contains(tr.tooltip, "nothing copied") {
		t.Errorf("the notice is still there after %s: tooltip %q", noticeFor, tr.tooltip)
	}
}

// A copy whose token read fails tells why, through the loop goroutine.
func TestTrayCopyFailureIsTold(t *testing.T) {
	tr, f := newTray(t)
	ctx := context.Background()
	f.set(valid("work"))
	tr.redraw(ctx)
	f.mu.Lock()
	f.tokenErr = errors.New("the provider refused the refresh")
	f.mu.Unlock()
	tr.click(ctx, "copy-token/work")
	select {
	case m := <-tr.tells:
		if m.summary != "work: nothing copied" || m.body != "the provider refused the refresh" {
			t.Errorf("got %+v", m)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the failed copy was not told")
	}
}
