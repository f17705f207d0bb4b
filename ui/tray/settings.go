package tray

import (
	"log/slog"
	"sync/atomic"
	"time"
)

// panelTheme answers Options.DarkPanel from the config's tray_theme as it
// is now, so a reload that changes it shows at once. The tray asks after
// every change the agent signals; the desktop (resolve) is asked again
// only when the setting changed or, for "auto", the desktop said its
// colour scheme changed. Dark is not safe for concurrent use: the tray asks
// from its loop goroutine only.
type panelTheme struct {
	setting func() string           // the config's tray_theme now
	resolve func(theme string) bool // dark for this tray_theme? (darkPanel)

	asked bool
	theme string
	dark  bool
	// desktopChanged is set by the colour scheme watcher's goroutine.
	desktopChanged atomic.Bool
}

// Dark reports whether the icons are to be drawn for a dark panel.
func (p *panelTheme) Dark() bool {
	desktop := p.desktopChanged.Swap(false)
	if s := p.setting(); !p.asked || s != p.theme || (desktop && s != "dark" && s != "light") {
		p.asked, p.theme, p.dark = true, s, p.resolve(s)
	}
	return p.dark
}

// DesktopChanged says the desktop's colour scheme changed: with
// tray_theme = "auto" the next Dark asks the desktop again. Safe to call
// from any goroutine.
func (p *panelTheme) DesktopChanged() { p.desktopChanged.Store(true) }

// failingAfterEnv names the variable that shortens how long refreshes must
// fail before the tray tells (a Go duration: "30s"); the end-to-end tests
// set it, and so may the impatient.
const failingAfterEnv = "TOKENTRAY_FAILING_AFTER"

// failingAfter reads failingAfterEnv; zero (the tray's default, 5 min)
// when unset or not a positive duration.
func failingAfter(getenv func(string) string, log *slog.Logger) time.Duration {
	v := getenv(failingAfterEnv)
	if v == "" {
		return 0
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		log.Warn("ignoring "+failingAfterEnv+": not a positive duration such as 30s", "value", v)
		return 0
	}
	return d
}
