package config

import (
	"fmt"
	"time"
)

// DefaultClipboardClear is how long a copied token stays on the clipboard.
const DefaultClipboardClear = 30 * time.Second

var trayThemes = []string{"", "auto", "light", "dark"}

func (c *Config) validateDesktop(add func(key, format string, args ...any)) {
	if d := c.ClipboardClear.Duration; d < 0 || (d > 0 && d < time.Second) || d > time.Hour {
		add("clipboard_clear", "must be between 1s and 1h, not %v", d)
	}
	if !oneOf(c.TrayTheme, trayThemes) {
		add("tray_theme", "must be auto, light or dark (the panel's colour), not %q", c.TrayTheme)
	}
}

// ClipboardClearAfter is ClipboardClear with its default applied.
func (c *Config) ClipboardClearAfter() time.Duration {
	if c.ClipboardClear.Duration == 0 {
		return DefaultClipboardClear
	}
	return c.ClipboardClear.Duration
}

// Check validates c as Load would and returns its problems, which carry
// keys (profile[0].issuer) but no file or line: the settings window
// validates what is being typed with the same rules as the file.
func Check(c *Config) []Problem {
	var probs []Problem
	c.validate(func(key, format string, args ...any) {
		probs = append(probs, Problem{Key: key, Msg: fmt.Sprintf(format, args...)})
	})
	return probs
}
