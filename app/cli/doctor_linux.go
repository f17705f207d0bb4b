package cli

import (
	"context"
	"os"
	"path/filepath"

	"github.com/godbus/dbus/v5"
)

// The StatusNotifierItem watcher a tray host runs (KDE's name, used by
// every implementation).
const (
	sniWatcher     = "org.kde.StatusNotifierWatcher"
	sniWatcherPath = "/StatusNotifierWatcher"
)

// noSessionBus reports a missing session bus before the keyring is tried:
// without an address the D-Bus library would try to launch a bus of its
// own (dbus-launch), which leaves daemons behind.
func noSessionBus() (finding, bool) {
	if os.Getenv("DBUS_SESSION_BUS_ADDRESS") != "" {
		return finding{}, false
	}
	if dir := os.Getenv("XDG_RUNTIME_DIR"); dir != "" {
		if _, err := os.Stat(filepath.Join(dir, "bus")); err == nil {
			return finding{}, false // the library finds $XDG_RUNTIME_DIR/bus
		}
	}
	return keyringFinding(errNoBus), true
}

type noBusError struct{}

func (noBusError) Error() string {
	return "dbus: couldn't determine address of session bus (DBUS_SESSION_BUS_ADDRESS is empty)"
}

var errNoBus error = noBusError{}

// checkTrayHost asks the session bus whether a StatusNotifier watcher runs
// and a host (the panel that draws the icons) is registered with it.
func checkTrayHost(ctx context.Context) finding {
	const what = "tray host"
	fix := "the agent runs without a tray (`tokentray agent`); for the icon, use a panel with a StatusNotifier tray\n(GNOME: the AppIndicator extension, apt install gnome-shell-extension-appindicator)"
	if _, ok := noSessionBus(); ok {
		return finding{markWarn, what, "no D-Bus session bus, so no tray", fix}
	}
	ctx, cancel := context.WithTimeout(ctx, doctorBusTimeout)
	defer cancel()
	conn, err := dbus.SessionBusPrivateNoAutoStartup(dbus.WithContext(ctx))
	if err != nil {
		return finding{markWarn, what, "cannot reach the session bus: " + err.Error(), fix}
	}
	defer conn.Close()
	if err := conn.Auth(nil); err != nil {
		return finding{markWarn, what, "cannot reach the session bus: " + err.Error(), fix}
	}
	if err := conn.Hello(); err != nil {
		return finding{markWarn, what, "cannot reach the session bus: " + err.Error(), fix}
	}
	var has bool
	if err := conn.BusObject().CallWithContext(ctx, "org.freedesktop.DBus.NameHasOwner", 0, sniWatcher).Store(&has); err != nil {
		return finding{markWarn, what, "asking the session bus: " + err.Error(), fix}
	}
	if !has {
		return finding{markWarn, what, "no " + sniWatcher + " on the session bus: the tray icon will not show", fix}
	}
	var v dbus.Variant
	err = conn.Object(sniWatcher, sniWatcherPath).CallWithContext(ctx, "org.freedesktop.DBus.Properties.Get", 0, sniWatcher, "IsStatusNotifierHostRegistered").Store(&v)
	if registered, ok := v.Value().(bool); err == nil && ok && !registered {
		return finding{markWarn, what, "a StatusNotifier watcher runs but no panel (host) is registered with it: the icon will not show", fix}
	}
	return finding{markOK, what, sniWatcher + " is on the session bus", ""}
}
