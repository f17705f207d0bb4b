package assets

import (
	"embed"
	"fmt"
)

//go:embed icons/*.png icons/*.ico
var icons embed.FS

// TrayStates are the overall states the tray icon shows, each with its own
// badge: "ok" (every profile logged in), "refreshing", "login" (a profile
// needs a login), "error" (refreshes or the keyring are failing) and
// "idle" (nothing logged in).
var TrayStates = []string{"ok", "refreshing", "login", "error", "idle"}

// TraySizes are the pixel sizes each tray icon is drawn at.
var TraySizes = []int{16, 22, 24, 32, 48, 64}

// TrayIcon returns the PNG of the tray icon for state, drawn for a dark or
// a light panel, at the smallest drawn size not below size. An unknown
// state gives the "error" icon.
func TrayIcon(state string, darkPanel bool, size int) []byte {
	panel := "light"
	if darkPanel {
		panel = "dark"
	}
	px := TraySizes[len(TraySizes)-1]
	for _, s := range TraySizes {
		if s >= size {
			px = s
			break
		}
	}
	b, err := icons.ReadFile(fmt.Sprintf("icons/tray-%s-%s-%d.png", state, panel, px))
	if err != nil {
		b, _ = icons.ReadFile(fmt.Sprintf("icons/tray-error-%s-%d.png", panel, px))
	}
	return b
}

// TrayIconICO returns the Windows icon file (ICO, 16 to 48 px) of the tray
// icon for state on a dark or a light panel; Windows' tray takes no PNG. An
// unknown state gives the "error" icon.
func TrayIconICO(state string, darkPanel bool) []byte {
	panel := "light"
	if darkPanel {
		panel = "dark"
	}
	b, err := icons.ReadFile(fmt.Sprintf("icons/tray-%s-%s.ico", state, panel))
	if err != nil {
		b, _ = icons.ReadFile(fmt.Sprintf("icons/tray-error-%s.ico", panel))
	}
	return b
}

// AppIcon returns the application icon (a PNG, 256 px): launchers, window
// decorations, the .desktop file.
func AppIcon() []byte { return AppIconSized(256) }

// AppIconSized returns the application icon at 64, 256 or 512 px (the
// next size up for others, 512 at most).
func AppIconSized(size int) []byte {
	px := 512
	for _, s := range []int{64, 256, 512} {
		if s >= size {
			px = s
			break
		}
	}
	b, _ := icons.ReadFile(fmt.Sprintf("icons/app-%d.png", px))
	return b
}
