//go:build !windows

package agent

import (
	"net"
	"os"
)

// listenSocket listens on the unix socket path, readable by us only.
func listenSocket(path string) (net.Listener, error) {
	os.Remove(path) // stale from a crashed agent: we hold the lock, so it is ours to remove
	l, err := net.Listen("unix", path)
	if err != nil {
		return nil, err
	}
	os.Chmod(path, 0o600)
	return l, nil
}
