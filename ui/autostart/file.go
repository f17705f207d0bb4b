//go:build !windows

package autostart

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// Enabled reports whether the autostart file (Path) is there.
func (m *Manager) Enabled() bool {
	p, err := m.Path()
	if err != nil {
		return false
	}
	_, err = os.Stat(p)
	return err == nil
}

// Set writes the autostart file (a temp file, then rename, so a session
// starting meanwhile never reads half an entry) or removes it.
func (m *Manager) Set(on bool) error {
	p, err := m.Path()
	if err != nil {
		return err
	}
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
	if err := os.WriteFile(tmp, []byte(m.contents()), 0o644); err != nil {
		return fmt.Errorf("autostart: %w", err)
	}
	if err := os.Rename(tmp, p); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("autostart: %w", err)
	}
	return nil
}
