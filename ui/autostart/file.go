//go:build !windows

package autostart

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// fileEnabled reports whether the autostart file at p is there.
func fileEnabled(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// setFile writes contents to p (a temp file, then rename, so a session
// starting meanwhile never reads half an entry) or removes p.
func setFile(p string, on bool, contents string) error {
	if !on {
		if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("autostart: %w", err)
		}
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return fmt.Errorf("autostart: %w", err)
	}
	tmp := p + ".tmp"
	if err := os.WriteFile(tmp, []byte(contents), 0o644); err != nil {
		return fmt.Errorf("autostart: %w", err)
	}
	if err := os.Rename(tmp, p); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("autostart: %w", err)
	}
	return nil
}
