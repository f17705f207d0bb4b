package desktop

import "os"

// notifyRaise does nothing: Windows has no SIGUSR1, so the tray opens a
// second window instead of raising this one (ui/tray's raise).
func notifyRaise(chan<- os.Signal) {}
