//go:build !windows

package tray

import (
	"log/slog"

	"github.com/tokentray/tokentray/assets"
	"github.com/tokentray/tokentray/ui/notify"
)

// newNotifier is the freedesktop notification service on the session bus.
func newNotifier(*slog.Logger) (Notifier, func()) {
	n := &notify.Notifier{AppName: "tokentray", Icon: assets.AppIconSized(64)}
	return n, n.Close
}
