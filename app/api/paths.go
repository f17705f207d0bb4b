package api

import (
	"fmt"
	"os"
)

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
