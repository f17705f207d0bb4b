package tray

import (
	"log/slog"
	"time"
)

// panelTheme answers Options.DarkPanel from the config's tray_theme as it
// is now, so a reload that changes it shows at once. The tray asks after
// every change the agent signals; the desktop (resolve) is asked again
// only when the setting changed. Not safe for concurrent use: the tray
// asks from its loop goroutine only.
type panelTheme struct {
	setting func() string           // the config's tray_theme now
	resolve func(theme string) bool // dark for this tray_theme? (darkPanel)

	asked bool
	theme string
	dark  bool
}

// Dark reports whether the icons are to be drawn for a dark panel.
func (p *panelTheme) Dark() bool {
	if s := p.setting(); !p.asked || s != p.theme {
		p.asked, p.theme, p.dark = true, s, p.resolve(s)
	}
	return p.dark
}

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
