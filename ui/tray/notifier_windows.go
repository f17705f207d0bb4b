package tray

import (
	"log/slog"

	"fyne.io/systray"

	"github.com/tokentray/tokentray/ui/notify"
)

// newNotifier on Windows puts the notice in the tray icon's tooltip and
// the log. Toasts need WinRT (or PowerShell, which go-toast runs), neither
// of which Wine has, so they could not be tested here; the icon's state
// badge already shows what a notice says, and the tooltip tells it in words.
func newNotifier(log *slog.Logger) (Notifier, func()) {
	return tooltipNotifier{log: log, set: systray.SetTooltip}, func() {}
}

type tooltipNotifier struct {
	log *slog.Logger
	set func(string)
}

func (n tooltipNotifier) Notify(summary, body string, _ ...notify.Action) (uint32, error) {
	n.log.Info("notice (in the tray tooltip; Windows toasts are not shown)", "summary", summary)
	n.set("tokentray: " + summary)
	return 0, nil
}
