//go:build !windows

package tray

import "github.com/tokentray/tokentray/assets"

// trayIcon is the PNG of the icon at the panel's size.
func trayIcon(state string, dark bool, size int) []byte { return assets.TrayIcon(state, dark, size) }
