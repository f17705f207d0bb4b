package apiclient

import (
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/tokentray/tokentray/app/rundir"
)

// RuntimeDir returns the agent's private directory (rundir.Dir).
func RuntimeDir(override string) string { return rundir.Dir(override) }

// SocketPath is the agent's socket inside dir (rundir.Socket).
func SocketPath(dir string) string { return rundir.Socket(dir) }

// KeyHeader carries the per-user key on the loopback TCP port. It is its own
// header, never Authorization, so that it cannot be mistaken for (or logged
// as) an access token, and a tool that forwards Authorization headers
// elsewhere does not forward it.
const KeyHeader = "X-Tokentray-Key"

// KeyLen is the length of a key in hex: 32 random bytes.
const KeyLen = 64

// KeyPath is the per-user key file inside the runtime dir.
func KeyPath(dir string) string { return filepath.Join(dir, "tcp.key") }

// ReadKey reads the per-user key from the runtime dir, for clients of the
// TCP port on platforms where the agent cannot tell who connects.
func ReadKey(dir string) (string, error) {
	b, err := os.ReadFile(KeyPath(dir))
	if err != nil {
		return "", fmt.Errorf("tcp key: %w", err)
	}
	k := strings.TrimSpace(string(b))
	if len(k) != KeyLen {
		return "", errors.New("tcp key: " + KeyPath(dir) + " is not a tokentray key")
	}
	if _, err := hex.DecodeString(k); err != nil {
		return "", errors.New("tcp key: " + KeyPath(dir) + " is not a tokentray key")
	}
	return k, nil
}
