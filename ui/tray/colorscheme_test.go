package tray

import (
	"testing"

	"github.com/godbus/dbus/v5"
)

func TestPanelThemeFollowsTheDesktopOnlyForAuto(t *testing.T) {
	setting, desktopDark := "auto", false
	asked := 0
	p := &panelTheme{setting: func() string { return setting },
		resolve: func(theme string) bool {
			asked++
			if theme == "auto" {
				return desktopDark
			}
			return theme == "dark"
		}}
	if p.Dark() || asked != 1 {
		t.Fatalf("auto on a light desktop: dark %v after %d questions", p.Dark(), asked)
	}
	desktopDark = true
	p.DesktopChanged()
	if !p.Dark() || asked != 2 {
		t.Errorf("the desktop turned dark: got dark %v after %d questions, want true after 2", p.Dark(), asked)
	}
	if !p.Dark() || asked != 2 {
		t.Errorf("no news: asked again (%d questions)", asked)
	}
	setting = "light"
	p.Dark()
	p.DesktopChanged()
	if p.Dark() || asked != 3 {
		t.Errorf("tray_theme = light ignores the desktop: got dark %v after %d questions, want false after 3", p.Dark(), asked)
	}
}

func TestIsColorSchemeChange(t *testing.T) {
	sig := func(name string, path dbus.ObjectPath, body ...any) *dbus.Signal {
		return &dbus.Signal{Name: name, Path: path, Body: body}
	}
	tests := []struct {
		s    *dbus.Signal
		want bool
	}{
		{sig(settingChanged, portalPath, appearanceNS, colorSchemeKey, dbus.MakeVariant(uint32(1))), true},
		{sig(settingChanged, portalPath, appearanceNS, "accent-color", dbus.MakeVariant(uint32(1))), false},
		{sig(settingChanged, portalPath, "org.gnome.desktop.interface", colorSchemeKey), false},
		{sig(settingChanged, "/elsewhere", appearanceNS, colorSchemeKey), false},
		{sig("org.freedesktop.DBus.NameAcquired", portalPath, appearanceNS, colorSchemeKey), false},
		{sig(settingChanged, portalPath, appearanceNS), false},
		{sig(settingChanged, portalPath, 1, 2), false},
		{nil, false},
	}
	for i, tt := range tests {
		if got := isColorSchemeChange(tt.s); got != tt.want {
			t.Errorf("%d: got %v, want %v", i, got, tt.want)
		}
	}
}
