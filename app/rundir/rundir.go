// Package rundir says where the agent's socket is. It is its own package,
// with nothing but os in it, because the tokentray front command needs the
// path and must stay small enough to start in about a millisecond.
package rundir

import (
	"os"
	"path/filepath"
	"strconv"
)

// Dir returns the agent's private directory: override if set (the
// --runtime-dir flag or TOKENTRAY_RUNTIME_DIR), else tokentray under
// $XDG_RUNTIME_DIR, else tokentray-UID under the temp directory.
func Dir(override string) string {
	if override != "" {
		return override
	}
	if d := os.Getenv("XDG_RUNTIME_DIR"); d != "" {
		return filepath.Join(d, "tokentray")
	}
	return filepath.Join(os.TempDir(), "tokentray-"+strconv.Itoa(os.Getuid()))
}

// Socket is the agent's unix socket inside dir.
func Socket(dir string) string { return filepath.Join(dir, "agent.sock") }
