//go:build !windows

package cli_test

import (
	"os/exec"
	"syscall"
)

// ownGroup starts c in a process group of its own, for killGroup.
func ownGroup(c *exec.Cmd) { c.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} }

// killGroup ends c and everything it started.
func killGroup(c *exec.Cmd) { syscall.Kill(-c.Process.Pid, syscall.SIGTERM) }
