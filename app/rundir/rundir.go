// Package rundir says where the agent's socket is. It is its own package,
// with nothing but os in it, because the tokentray front command needs the
// path and must stay small enough to start in about a millisecond.
package rundir

import (
	"os"
	"path/filepath"
	"strconv"
)

// The parts of Dir and Socket. internal/early's C builds the same path
// before Go starts, from these constants (`go generate ./internal/early`
// writes them into its zz_generated.h; a test there fails when it is stale).
const (
	Env        = "TOKENTRAY_RUNTIME_DIR" // the override, beside the --runtime-dir flag
	XDGSubdir  = "tokentray"             // the directory under $XDG_RUNTIME_DIR
	TempPrefix = "tokentray-"            // + the uid: the directory under the temp directory
	SocketName = "agent.sock"
)

// Dir returns the agent's private directory: override if set (the
// --runtime-dir flag or TOKENTRAY_RUNTIME_DIR), else tokentray under
// $XDG_RUNTIME_DIR, else tokentray-UID under the temp directory.
func Dir(override string) string {
	if override != "" {
		return override
	}
	if d := os.Getenv("XDG_RUNTIME_DIR"); d != "" {
		return filepath.Join(d, XDGSubdir)
	}
	return filepath.Join(os.TempDir(), TempPrefix+strconv.Itoa(os.Getuid()))
}

// Socket is the agent's unix socket inside dir.
func Socket(dir string) string { return filepath.Join(dir, SocketName) }
