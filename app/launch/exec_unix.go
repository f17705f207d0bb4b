//go:build unix

package launch

import (
	"fmt"
	"os"
	"syscall"
)

func execve(path string, argv []string) error {
	if err := syscall.Exec(path, argv, os.Environ()); err != nil {
		return fmt.Errorf("starting %s: %w", path, err)
	}
	return nil
}
