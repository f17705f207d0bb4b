package api

import (
	"errors"
	"fmt"
	"os"

	"github.com/tokentray/tokentray/app/rundir"
)

// RuntimeDir returns the agent's private directory (rundir.Dir).
func RuntimeDir(override string) string { return rundir.Dir(override) }

// SocketPath is the agent's unix socket inside dir (rundir.Socket).
func SocketPath(dir string) string { return rundir.Socket(dir) }

// EnsurePrivateDir creates dir with mode 0700 and checks that it is a real
// directory owned by us that nobody else can enter: the socket's first
// line of defence.
func EnsurePrivateDir(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("runtime dir: %w", err)
	}
	if err := protectDir(dir); err != nil {
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
