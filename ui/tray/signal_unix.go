//go:build !windows

package tray

import (
	"os"
	"syscall"
)

// raise asks a window process to come to the front (SIGUSR1).
func raise(p *os.Process) error { return p.Signal(syscall.SIGUSR1) }

func terminate(p *os.Process) { p.Signal(syscall.SIGTERM) }
