package tray

import (
	"context"

	"github.com/godbus/dbus/v5"
)

// The desktop's colour scheme, as the XDG desktop portal tells it
// (org.freedesktop.portal.Settings, namespace org.freedesktop.appearance).
const (
	portalName      = "org.freedesktop.portal.Desktop"
	portalPath      = "/org/freedesktop/portal/desktop"
	portalSettings  = "org.freedesktop.portal.Settings"
	appearanceNS    = "org.freedesktop.appearance"
	colorSchemeKey  = "color-scheme"
	settingChanged  = portalSettings + ".SettingChanged"
	schemePrefLight = 2 // 0 says nothing, 1 prefers dark
)

// watchColorScheme calls changed each time the desktop's colour scheme
// changes (the portal's SettingChanged signal), until ctx ends; with
// tray_theme = "auto" the icon then follows a desktop that turns dark at
// sunset. Without a session bus it does nothing: there is nothing to
// follow.
func watchColorScheme(ctx context.Context, changed func()) {
	conn, err := dbus.ConnectSessionBus()
	if err != nil {
		return
	}
	defer conn.Close()
	if err := conn.AddMatchSignalContext(ctx,
		dbus.WithMatchObjectPath(portalPath),
		dbus.WithMatchInterface(portalSettings),
		dbus.WithMatchMember("SettingChanged"),
		dbus.WithMatchArg(0, appearanceNS),
		dbus.WithMatchArg(1, colorSchemeKey),
	); err != nil {
		return
	}
	signals := make(chan *dbus.Signal, 4)
	conn.Signal(signals)
	for {
		select {
		case <-ctx.Done():
			return
		case s, ok := <-signals:
			if !ok {
				return
			}
			if isColorSchemeChange(s) {
				changed()
			}
		}
	}
}

// isColorSchemeChange checks a signal against the match rule again: the
// bus delivers every signal of the connection to the channel.
func isColorSchemeChange(s *dbus.Signal) bool {
	if s == nil || s.Name != settingChanged || s.Path != portalPath || len(s.Body) < 2 {
		return false
	}
	ns, _ := s.Body[0].(string)
	key, _ := s.Body[1].(string)
	return ns == appearanceNS && key == colorSchemeKey
}
