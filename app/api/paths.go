package api

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
)

// RuntimeDir returns the agent's private directory: override if set (the
// --runtime-dir flag or TOKENTRAY_RUNTIME_DIR), else tokentray under
// $XDG_RUNTIME_DIR, else tokentray-UID under the temp directory.
func RuntimeDir(override string) string {
	if override != "" {
		return override
	}
	if d := os.Getenv("XDG_RUNTIME_DIR"); d != "" {
		return filepath.Join(d, "tokentray")
	}
	return filepath.Join(os.TempDir(), "tokentray-"+strconv.Itoa(os.Getuid()))
}

// SocketPath is the agent's unix socket inside dir.
func SocketPath(dir string) string { return filepath.Join(dir, "agent.sock") }

// EnsurePrivateDir creates dir with mode 0700 and checks that it is a real
// directory owned by us that nobody else can enter: the socket's first
// line of defence.
func EnsurePrivateDir(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("runtime dir: %w", err)
	}
	st, err := os.Lstat(dir)
	if err != nil {
		return fmt.Errorf("runtime dir: %w", err)
	}
	if !st.IsDir() {
		return fmt.Errorf("runtime dir: %s is not a directory", dir)
	}
	if uid, ok := ownerUID(st); ok && uid != os.Getuid() {
		return fmt.Errorf("runtime dir: %s belongs to uid %d, not to us", dir, uid)
	}
	if st.Mode().Perm() != 0o700 {
		if err := os.Chmod(dir, 0o700); err != nil {
			return fmt.Errorf("runtime dir: %w", err)
		}
	}
	return nil
}

// ErrNoAgent means no agent answers on the socket.
var ErrNoAgent = errors.New("no tokentray agent is running")
