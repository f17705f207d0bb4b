package tray

import (
	"bytes"
	"context"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/tokentray/tokentray/app/apiclient"
	"github.com/tokentray/tokentray/assets"
	"github.com/tokentray/tokentray/ui/model"
)

func TestPanelThemeAsksTheDesktopOnlyWhenTheSettingChanges(t *testing.T) {
	setting := "auto"
	var asked []string
	p := &panelTheme{setting: func() string { return setting },
		resolve: func(theme string) bool { asked = append(asked, theme); return theme != "light" }}
	tests := []struct {
		setting string
		want    bool
		asked   int
	}{
		{"auto", true, 1},
		{"auto", true, 1}, // a state change, not a new theme
		{"light", false, 2},
		{"light", false, 2},
		{"dark", true, 3},
		{"auto", true, 4}, // the desktop may have changed meanwhile
	}
	for i, tt := range tests {
		setting = tt.setting
		if got := p.Dark(); got != tt.want || len(asked) != tt.asked {
			t.Errorf("%d: %s: got dark %v after %d questions, want %v after %d", i, tt.setting, got, len(asked), tt.want, tt.asked)
		}
	}
}

func TestFailingAfter(t *testing.T) {
	tests := []struct {
		env  string
		want time.Duration
	}{
		{"", 0},
		{"2s", 2 * time.Second},
		{"90m", 90 * time.Minute},
		{"soon", 0},
		{"-1s", 0},
		{"0s", 0},
	}
	for _, tt := range tests {
		getenv := func(k string) string {
			if k != failingAfterEnv {
				t.Errorf("read %s", k)
			}
			return tt.env
		}
		if got := failingAfter(getenv, slog.New(slog.DiscardHandler)); got != tt.want {
			t.Errorf("%q: got %v, want %v", tt.env, got, tt.want)
		}
	}
}

// TestTrayRedrawsTheIconForANewTheme runs the tray's loop: after a change
// signal (a reload sends one) it asks DarkPanel again and sends the icon
// drawn for the new panel, and only then.
func TestTrayRedrawsTheIconForANewTheme(t *testing.T) {
	f := &fakes{ev: newEvents()}
	f.set(valid("work"))
	var mu sync.Mutex // guards dark
	dark := true
	setDark := func(d bool) { mu.Lock(); dark = d; mu.Unlock() }
	changes := make(chan struct{}, 1)
	now := time.Date(2026, 11, 21, 15, 0, 0, 0, time.UTC)
	tr := New(Options{API: f, Windows: f, Clipboard: f, Notifier: f, Autostart: f, Changes: changes,
		Now: func() time.Time { return now },
		DarkPanel: func() bool {
			mu.Lock()
			d := dark
			mu.Unlock()
			f.ev.add("asked")
			return d
		}})
	tr.setIcon = func(png []byte) { f.ev.add("icon " + iconName(t, png)) }
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	defer func() { cancel(); <-done }()

	for i, step := range []struct {
		dark   bool
		status apiclient.Status
		want   []string
	}{
		{true, valid("work"), []string{"asked", "icon ok dark"}},   // New, then the first draw
		{true, valid("work"), []string{"asked"}},                   // nothing new: nothing sent
		{false, valid("work"), []string{"asked", "icon ok light"}}, // tray_theme reloaded
		{false, apiclient.Status{Profile: "work", State: apiclient.LoginRequired}, []string{"asked", "icon login light", "notify work: login required"}}, // a state change keeps the theme
	} {
		setDark(step.dark)
		f.set(step.status)
		if i == 0 {
			go func() { tr.loop(ctx); close(done) }()
		} else {
			changes <- struct{}{}
		}
		for _, w := range step.want {
			if got := f.ev.next(t); got != w {
				t.Errorf("step %d: got %q, want %q", i, got, w)
			}
		}
	}
	if got := f.ev.all(); len(got) != 8 {
		t.Errorf("events: got %q, want the 8 above", got)
	}
}

func iconName(t *testing.T, png []byte) string {
	for _, state := range []string{model.IconOK, model.IconRefreshing, model.IconLogin, model.IconError, model.IconIdle} {
		for panel, dark := range map[string]bool{"dark": true, "light": false} {
			if bytes.Equal(png, assets.TrayIcon(state, dark, 32)) {
				return state + " " + panel
			}
		}
	}
	t.Error("an icon that is none of the tray's")
	return "?"
}
