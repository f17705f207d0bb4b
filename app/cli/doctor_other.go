//go:build !linux

package cli

import "context"

// noSessionBus: only Linux keyrings and trays need a D-Bus session bus.
func noSessionBus() (finding, bool) { return finding{}, false }

// checkTrayHost: macOS and Windows always have a tray.
func checkTrayHost(context.Context) finding {
	return finding{markOK, "tray host", "the system's own", ""}
}
