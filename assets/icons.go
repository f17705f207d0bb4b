package assets

import (
	"embed"
	"fmt"
)

//go:embed icons/*.png
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

// AppIcon returns the application icon (a PNG, 256 px): launchers, window
// decorations, the .desktop file, notifications.
func AppIcon() []byte {
	b, _ := icons.ReadFile("icons/app-256.png")
	return b
}
