package cli_test

import "os/exec"

// ownGroup does nothing on Windows; the tests that use it need a D-Bus
// session and skip there.
func ownGroup(*exec.Cmd) {}

// killGroup ends c only.
func killGroup(c *exec.Cmd) { c.Process.Kill() }
