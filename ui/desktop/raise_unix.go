//go:build !windows

package desktop

import (
	"os"
	"os/signal"
	"syscall"
)

// notifyRaise delivers the tray's "come to the front" (SIGUSR1) on sig.
func notifyRaise(sig chan<- os.Signal) { signal.Notify(sig, syscall.SIGUSR1) }
