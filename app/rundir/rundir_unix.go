//go:build !windows

package rundir

import (
	"os"
	"path/filepath"
	"strconv"
)

// defaultDir is tokentray under $XDG_RUNTIME_DIR, else tokentray-UID
// under the temp directory.
func defaultDir() string {
	if d := os.Getenv("XDG_RUNTIME_DIR"); d != "" {
		return filepath.Join(d, XDGSubdir)
	}
	return filepath.Join(os.TempDir(), TempPrefix+strconv.Itoa(os.Getuid()))
}

// Socket is the agent's unix socket inside dir.
func Socket(dir string) string { return filepath.Join(dir, SocketName) }
