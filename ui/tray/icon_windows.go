package tray

import "github.com/tokentray/tokentray/assets"

// trayIcon is the ICO file of the icon: fyne.io/systray on Windows loads
// no PNG ("unable to set icon"), and the file holds every size Windows
// picks from.
func trayIcon(state string, dark bool, _ int) []byte { return assets.TrayIconICO(state, dark) }
