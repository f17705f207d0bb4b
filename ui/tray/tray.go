// Package tray is tokentray's tray icon and menu. It runs inside the agent
// through fyne.io/systray (a StatusNotifierItem over D-Bus on Linux): no
// OpenGL loop, no GUI toolkit, nothing that wakes while nothing changes.
// It redraws when the agent says a state changed, when a status line's
// text would change ("valid for 41 min"), and when the menu opens. The
// windows run in a child process (`tokentray ui …`), started on demand.
package tray

import (
	"context"
	"log/slog"
	"time"

	"fyne.io/systray"

	"github.com/tokentray/tokentray/app/apiclient"
	"github.com/tokentray/tokentray/ui/model"
	"github.com/tokentray/tokentray/ui/notify"
)

// API is what the tray asks of the agent: agent.Local in the agent's
// process, with the wire types and error codes of its API.
type API interface {
	Status(ctx context.Context) (apiclient.StatusResponse, error)
	Token(ctx context.Context, profile string, minValid time.Duration) (apiclient.TokenResponse, error)
	Refresh(ctx context.Context, profile string) (apiclient.Status, error)
	Logout(ctx context.Context, profile string) (apiclient.LogoutResult, error)
}

// Windows opens the Fyne windows (another process).
type Windows interface {
	Open(args ...string) error
}

// Copier puts text on the clipboard; Copy clears it again after a delay.
type Copier interface {
	Copy(text string) error
	CopyPlain(text string) error
	ClearNow()
}

// Autostart switches "start at login".
type Autostart interface {
	Supported() bool
	Enabled() bool
	Set(on bool) error
}

// Notifier shows desktop notifications.
type Notifier interface {
	Notify(summary, body string, actions ...notify.Action) (uint32, error)
}

// Options are the tray's parts; every side effect is one of them.
type Options struct {
	API       API
	Changes   <-chan struct{} // a value after any state change (agent.Subscribe)
	Windows   Windows
	Clipboard Copier
	Notifier  Notifier
	Autostart Autostart
	// DarkPanel says whether the panel is dark (the icons are then drawn
	// light). It is asked when the tray starts and again after every
	// change the agent signals — a config reload is one — so a changed
	// tray_theme shows at once. nil: dark.
	DarkPanel func() bool
	// IconSize is the pixel size of the icon sent to the tray host; 32
	// when zero (hosts scale it to the panel).
	IconSize int
	// FailingAfter is how long refreshes fail before a notification; 5 min
	// when zero.
	FailingAfter time.Duration
	Log          *slog.Logger
	Now          func() time.Time
}

// Tray is the running tray.
type Tray struct {
	o      Options
	clicks chan string  // item keys, from the menu items' goroutines
	tells  chan message // what a copy under way has to tell, for the loop
	quit   chan struct{}
	// setIcon sends the icon to the tray host (systray.SetIcon; tests
	// record it).
	setIcon func(png []byte)

	// Everything below is touched by the loop goroutine only.
	menu     model.Menu
	shape    string
	items    map[string]*systray.MenuItem
	rendered map[string]model.Item
	icon     string
	dark     bool // the icon is drawn for a dark panel
	tooltip  string
	notices  model.Notifier
	apiAddr  string
	last     apiclient.StatusResponse
	// notice is the last message told (tell), shown in the menu and the
	// tooltip until noticeUntil.
	notice      string
	noticeUntil time.Time
}

// message is something to tell the user: a summary and its details.
type message struct {
	summary, body string
	actions       []notify.Action // offered by the notification
}

// noticeFor is how long a told message stays in the menu and the tooltip.
const noticeFor = time.Minute

// New returns a tray; Run shows it.
func New(o Options) *Tray {
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.IconSize == 0 {
		o.IconSize = 32
	}
	if o.DarkPanel == nil {
		o.DarkPanel = func() bool { return true }
	}
	return &Tray{o: o, clicks: make(chan string, 8), tells: make(chan message, 4), quit: make(chan struct{}),
		setIcon: systray.SetIcon, dark: o.DarkPanel(), notices: model.Notifier{FailingAfter: o.FailingAfter}}
}

// Run shows the icon and serves the menu until ctx ends or Quit is chosen.
// fyne.io/systray can run once per process.
func (t *Tray) Run(ctx context.Context) error {
	ready := make(chan struct{})
	go func() {
		defer systray.Quit()
		select {
		case <-ready:
		case <-ctx.Done():
			return
		}
		t.loop(ctx)
	}()
	systray.Run(func() {
		systray.SetTitle("tokentray")
		t.setIcon(trayIcon(model.IconIdle, t.dark, t.o.IconSize))
		close(ready)
	}, nil)
	return nil
}

// loop is the one goroutine that touches the menu.
func (t *Tray) loop(ctx context.Context) {
	t.redraw(ctx)
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		t.arm(timer)
		select {
		case <-ctx.Done():
			return
		case <-t.quit:
			return
		case <-t.o.Changes:
			t.retheme()
			t.redraw(ctx)
		case <-timer.C:
			t.redraw(ctx)
		case <-systray.TrayOpenedCh:
			t.redraw(ctx)
		case key := <-t.clicks:
			t.click(ctx, key)
		case m := <-t.tells:
			t.tell(ctx, m)
		}
	}
}

// arm sets the timer to the next moment a text changes by itself or a
// pending notice falls due; far away when there is none.
func (t *Tray) arm(timer *time.Timer) {
	now := t.o.Now()
	next := model.NextTextChange(t.last.Profiles, now)
	if nc := t.notices.NextCheck(); !nc.IsZero() && (next.IsZero() || nc.Before(next)) {
		next = nc
	}
	if t.notice != "" && (next.IsZero() || t.noticeUntil.Before(next)) {
		next = t.noticeUntil
	}
	d := 24 * time.Hour
	if !next.IsZero() {
		d = max(next.Sub(now), 50*time.Millisecond)
	}
	timer.Reset(d)
}

func (t *Tray) status(ctx context.Context) (apiclient.StatusResponse, error) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	st, err := t.o.API.Status(ctx)
	if err == nil {
		t.last = st
	}
	return st, err
}

// retheme asks DarkPanel again (the config may have been reloaded with
// another tray_theme); a new answer makes the next render send the icon
// again, drawn for the new panel.
func (t *Tray) retheme() {
	if dark := t.o.DarkPanel(); dark != t.dark {
		t.dark = dark
		t.icon = ""
	}
}

func (t *Tray) redraw(ctx context.Context) {
	st, err := t.status(ctx)
	if err != nil {
		t.o.Log.Error("tray: reading the status", "err", err)
		return
	}
	t.apiAddr = st.Agent.Listen
	now := t.o.Now()
	if t.notice != "" && !now.Before(t.noticeUntil) {
		t.notice = ""
	}
	in := model.MenuInput{Profiles: st.Profiles, Now: now, APIAddr: st.Agent.Listen, ListenError: st.Agent.ListenError, Notice: t.notice}
	if t.o.Autostart != nil {
		in.AutostartSupported = t.o.Autostart.Supported()
		in.Autostart = in.AutostartSupported && t.o.Autostart.Enabled()
	}
	t.render(model.BuildMenu(in))
	for _, n := range t.notices.Update(st.Profiles, now) {
		t.show(ctx, n)
	}
}

// render brings the systray menu to m: a new shape rebuilds it, otherwise
// only items whose text or state changed are updated (each update is a
// D-Bus signal).
func (t *Tray) render(m model.Menu) {
	t.menu = m
	if m.Icon != t.icon {
		t.setIcon(trayIcon(m.Icon, t.dark, t.o.IconSize))
		t.icon = m.Icon
	}
	if m.Tooltip != t.tooltip {
		systray.SetTooltip(m.Tooltip)
		t.tooltip = m.Tooltip
	}
	if shape := m.Shape(); shape != t.shape {
		systray.ResetMenu()
		t.items, t.rendered = map[string]*systray.MenuItem{}, map[string]model.Item{}
		t.build(m.Items, nil)
		t.shape = shape
		return
	}
	var walk func(items []model.Item)
	walk = func(items []model.Item) {
		for _, it := range items {
			walk(it.Items)
			mi, ok := t.items[it.Key]
			if !ok {
				continue
			}
			old := t.rendered[it.Key]
			if old.Title != it.Title {
				mi.SetTitle(it.Title)
			}
			if old.Tooltip != it.Tooltip {
				mi.SetTooltip(it.Tooltip)
			}
			if old.Enabled != it.Enabled {
				if it.Enabled {
					mi.Enable()
				} else {
					mi.Disable()
				}
			}
			if old.Checked != it.Checked {
				if it.Checked {
					mi.Check()
				} else {
					mi.Uncheck()
				}
			}
			t.rendered[it.Key] = it
		}
	}
	walk(m.Items)
}

func (t *Tray) build(items []model.Item, parent *systray.MenuItem) {
	for _, it := range items {
		if it.Separator {
			if parent == nil {
				systray.AddSeparator()
			} else {
				parent.AddSeparator()
			}
			continue
		}
		var mi *systray.MenuItem
		switch {
		case parent == nil && it.Checkable:
			mi = systray.AddMenuItemCheckbox(it.Title, it.Tooltip, it.Checked)
		case parent == nil:
			mi = systray.AddMenuItem(it.Title, it.Tooltip)
		case it.Checkable:
			mi = parent.AddSubMenuItemCheckbox(it.Title, it.Tooltip, it.Checked)
		default:
			mi = parent.AddSubMenuItem(it.Title, it.Tooltip)
		}
		if !it.Enabled {
			mi.Disable()
		}
		t.items[it.Key], t.rendered[it.Key] = mi, it
		if len(it.Items) > 0 {
			t.build(it.Items, mi)
			continue
		}
		if it.Action == model.ActNone {
			continue
		}
		go func(key string, ch chan struct{}) {
			for range ch { // closed when the menu is rebuilt
				select {
				case t.clicks <- key:
				case <-t.quit:
					return
				}
			}
		}(it.Key, mi.ClickedCh)
	}
}

func findItem(items []model.Item, key string) (model.Item, bool) {
	for _, it := range items {
		if it.Key == key {
			return it, true
		}
		if sub, ok := findItem(it.Items, key); ok {
			return sub, true
		}
	}
	return model.Item{}, false
}

// click runs a menu item's action; slow ones run on their own goroutine.
func (t *Tray) click(ctx context.Context, key string) {
	it, ok := findItem(t.menu.Items, key)
	if !ok || !it.Enabled {
		return
	}
	t.o.Log.Debug("tray: clicked", "item", key)
	p := it.Profile
	switch it.Action {
	case model.ActCopyToken, model.ActCopyBearer:
		// The menu may be older than the state: a copy that cannot happen
		// is told at once, not after the agent gave up waiting.
		if st, err := t.status(ctx); err == nil {
			for _, ps := range st.Profiles {
				if why := model.CopyBlocked(ps, t.o.Now()); ps.Profile == p && why != "" {
					t.tell(ctx, message{summary: p + ": nothing copied: " + why, body: ps.Summary(t.o.Now())})
					return
				}
			}
		}
		go t.copyToken(ctx, p, it.Action == model.ActCopyBearer)
	case model.ActLogin:
		t.open("login", p)
	case model.ActDetails:
		t.open("details", p)
	case model.ActSettings:
		t.open("settings")
	case model.ActAbout:
		t.open("about")
	case model.ActRefresh:
		go func() {
			ctx, cancel := context.WithTimeout(ctx, 40*time.Second)
			defer cancel()
			if _, err := t.o.API.Refresh(ctx, p); err != nil {
				t.failed(p, p+": refresh failed", err)
			}
		}()
	case model.ActLogout:
		go func() {
			ctx, cancel := context.WithTimeout(ctx, 40*time.Second)
			defer cancel()
			res, err := t.o.API.Logout(ctx, p)
			switch {
			case err != nil:
				t.notify(p+": logout failed", err.Error())
			case !res.Revoked && res.RevokeError != "":
				t.notify(p+": logged out", "The token was deleted here, but the provider could not revoke it: "+res.RevokeError)
			}
		}()
	case model.ActCopyCurl:
		if len(t.last.Profiles) > 0 && t.apiAddr != "" {
			if err := t.o.Clipboard.CopyPlain(model.CurlExample(t.apiAddr, t.last.Profiles[0].Profile)); err != nil {
				t.notify("Could not copy", err.Error())
			}
		}
	case model.ActAutostart:
		if t.o.Autostart != nil {
			if err := t.o.Autostart.Set(!t.o.Autostart.Enabled()); err != nil {
				t.notify("Start at login", err.Error())
			}
			t.redraw(ctx)
		}
	case model.ActQuit:
		t.o.Clipboard.ClearNow()
		close(t.quit)
	}
}

// copyTimeout bounds a copy: a valid token is there at once, an expired
// one takes a refresh; a copy that waits longer is not what was asked for.
const copyTimeout = 10 * time.Second

func (t *Tray) copyToken(ctx context.Context, profile string, bearer bool) {
	ctx, cancel := context.WithTimeout(ctx, copyTimeout)
	defer cancel()
	tok, err := t.o.API.Token(ctx, profile, 0)
	if err != nil {
		t.later(message{profile + ": nothing copied", err.Error(), t.loginAction(profile, err)})
		return
	}
	text := tok.AccessToken
	if bearer {
		text = model.BearerLine(text)
	}
	if err := t.o.Clipboard.Copy(text); err != nil {
		t.later(message{summary: profile + ": nothing copied", body: err.Error()})
		return
	}
	t.o.Log.Info("tray: access token copied to the clipboard", "profile", profile, "bearer", bearer)
}

func (t *Tray) open(args ...string) {
	if err := t.o.Windows.Open(args...); err != nil {
		t.o.Log.Error("tray: opening a window", "window", args[0], "err", err)
		t.notify("Could not open the window", err.Error())
	}
}

// later hands a message to the loop goroutine, which tells it.
func (t *Tray) later(m message) {
	select {
	case t.tells <- m:
	case <-t.quit:
	}
}

// tell shows a message where the user is looking whatever the desktop
// has: first in the menu and in the tooltip (for a minute), and as a
// desktop notification; without a notification daemon, the status window
// opens instead.
func (t *Tray) tell(ctx context.Context, m message) {
	t.o.Log.Warn("tray: "+m.summary, "why", m.body)
	t.notice, t.noticeUntil = m.summary, t.o.Now().Add(noticeFor)
	t.redraw(ctx)
	if t.o.Notifier != nil {
		_, err := t.o.Notifier.Notify(m.summary, m.body, m.actions...)
		if err == nil {
			return
		}
		t.o.Log.Warn("tray: no desktop notification; opening the status window", "err", err)
	}
	t.open("status")
}

func (t *Tray) show(ctx context.Context, n model.Notice) {
	var acts []notify.Action
	if n.Kind == "login" {
		p := n.Profile
		acts = append(acts, notify.Action{Key: "login", Label: "Log in…", Do: func() { t.open("login", p) }})
	}
	t.notify(n.Title, n.Body, acts...)
}

// failed tells that an action on profile failed; when only a new login
// helps (the agent's error code says so), the notification offers it.
func (t *Tray) failed(profile, summary string, err error) {
	t.notify(summary, err.Error(), t.loginAction(profile, err)...)
}

// loginAction is the notification's "Log in…" where err's code says that
// only a new login helps.
func (t *Tray) loginAction(profile string, err error) []notify.Action {
	if !apiclient.CodeOf(err).NeedsLogin() {
		return nil
	}
	return []notify.Action{{Key: "login", Label: "Log in…", Do: func() { t.open("login", profile) }}}
}

func (t *Tray) notify(summary, body string, acts ...notify.Action) {
	if t.o.Notifier == nil {
		return
	}
	if _, err := t.o.Notifier.Notify(summary, body, acts...); err != nil {
		t.o.Log.Warn("tray: no desktop notification", "summary", summary, "err", err)
	}
}
