//go:build linux || freebsd || openbsd || netbsd || dragonfly

package tray

import (
	"context"
	"fmt"
	"time"

	"github.com/godbus/dbus/v5"
)

// trayHost reports whether a StatusNotifier host is there to show the
// icon; an error means there is no session bus at all.
func trayHost(ctx context.Context) (bool, error) {
	conn, err := dbus.ConnectSessionBus()
	if err != nil {
		return false, fmt.Errorf("no D-Bus session bus (%v)", err)
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	var has bool
	if err := conn.BusObject().CallWithContext(ctx, "org.freedesktop.DBus.NameHasOwner", 0, "org.kde.StatusNotifierWatcher").Store(&has); err != nil || !has {
		return false, nil
	}
	v, err := conn.Object("org.kde.StatusNotifierWatcher", "/StatusNotifierWatcher").GetProperty("org.kde.StatusNotifierWatcher.IsStatusNotifierHostRegistered")
	if err != nil {
		return true, nil // a watcher that does not say: trust it
	}
	registered, _ := v.Value().(bool)
	return registered, nil
}
