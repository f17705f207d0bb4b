//go:build !darwin || cgo

package main

import "github.com/tokentray/tokentray/ui/tray"

// runTray is the tray: fyne.io/systray speaks D-Bus on Linux and the BSDs
// and calls the Win32 API on Windows, both without cgo; macOS needs cgo.
var runTray = tray.RunAgent
